"""The staff console (``/console``): issuing staff's pages over the same services as the API."""
