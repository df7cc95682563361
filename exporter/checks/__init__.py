"""The check framework: the context, findings and comparisons each writer's check uses, the
integrity of the output folder, and the report (exporter.readback runs them all)."""
