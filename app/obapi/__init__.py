"""The Open Badges 3.0 API host (https://www.imsglobal.org/spec/ob/v3p0/#api) and its
OAuth 2.0 authorization server (https://www.imsglobal.org/spec/ob/v3p0/#api-security)."""
