"""Building blocks with no models of their own: signable and lockable records, PDF
building blocks, charts, form fields, CSV safety and the registries the apps fill when
they start. Nothing here names an app above it."""
