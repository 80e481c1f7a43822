"""What every PDF and spreadsheet Garantie writes shares: the page look (styles, running header
and footer, fast tables), the organisation it is from, and the words of a document in one
language. Plumbing: it imports no domain."""
