"""HTTP blueprints, one per audience: the CMS API and the operations endpoints."""
