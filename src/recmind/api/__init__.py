"""The REST service: FastAPI app, one router per resource, auth and middleware."""
