"""Exports that publish the dataset and its findings in shapes other tools read, one module
per format: :mod:`.claimreview` (schema.org ClaimReview as JSON-LD), :mod:`.sqlite` (a
database for Datasette, and its metadata), :mod:`.datapackage` (a Frictionless data
package). Each builds from the dataset alone; writing (atomically) is the CLI's.
"""
