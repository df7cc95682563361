"""The large-print edition's pages as places in the text, for the e-book writers' page lists.

Not a writer: ``pages`` lays out the print edition and finds where each page begins,
``spans`` places the page markers (and a talking book's sentence ids) in the markup, and
``pagelist`` adds the EPUB page-list and its metadata.
"""
