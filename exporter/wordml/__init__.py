"""WordprocessingML for the Word writer: settings and sizes, styles, body, package parts."""
