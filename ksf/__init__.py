"""KSF kunnskapsportal: knowledge needs of Norway's municipal health and care services."""
