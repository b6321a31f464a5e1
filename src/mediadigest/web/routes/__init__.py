"""The web app's routers, one per page family, and the JSON API; their shared parameter types."""

from typing import Annotated

from fastapi import Form, Path

# Store ids are 64-bit on both backends; a larger number is refused as input, not as a 500.
MAX_ID = 2**63 - 1
PathId = Annotated[int, Path(ge=-MAX_ID, le=MAX_ID)]
FormId = Annotated[int, Form(ge=-MAX_ID, le=MAX_ID)]
Index = Annotated[int, Path(ge=0, le=10_000)]
Revision = Annotated[int, Form(ge=0, le=2**31)]
