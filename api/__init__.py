"""The HTTP service: SPARQL 1.1 Protocol endpoint, REST API and pages."""
