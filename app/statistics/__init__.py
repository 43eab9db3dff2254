"""Statistics of issued credentials, counted in SQL."""
