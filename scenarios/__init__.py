"""Demo councils and what-if scenarios shipped with the product."""
