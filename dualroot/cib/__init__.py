"""The CIB model and its renderers (XML, pcs, crmsh) and checks (schema, crm_verify, crm_simulate)."""
