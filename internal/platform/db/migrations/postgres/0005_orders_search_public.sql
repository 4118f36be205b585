-- What a caller without customers.view_pii may search with q: the
-- lower-cased order number and customer name, never the email (issue 12:
-- a masked email could be recovered one character at a time). search_text
-- (number, name and email) stays for holders of the permission.
ALTER TABLE orders ADD COLUMN search_public TEXT NOT NULL DEFAULT '';

-- search_text is "number name email", lower-cased by the server, and
-- customers.email_lower is the email lower-cased the same way: cut it off.
UPDATE orders o SET search_public = CASE
        WHEN right(o.search_text, length(c.email_lower) + 1) = ' ' || c.email_lower
        THEN left(o.search_text, length(o.search_text) - length(c.email_lower) - 1)
        ELSE lower(o.number || ' ' || c.name)
    END
    FROM customers c WHERE c.id = o.customer_id;
