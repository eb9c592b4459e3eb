"""Import from the tools people already use: Postman, Bruno, Insomnia and OpenAPI files become an
ImportPlan (read first, nothing written), which `apply.apply_plan` then writes."""

from app.importers.detect import Format, detect, read_document, read_sources
from app.importers.plan import ImportPlan

__all__ = ["Format", "ImportPlan", "detect", "read_document", "read_sources"]
