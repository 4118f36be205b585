-- Deep offset pages (issue 12): a page's ids are chosen from orders alone,
-- walking an index that holds the sort (with the id tie-breaker) and the
-- status and total filters, without visiting the table; customers are
-- joined for the page's rows only. These replace the two sort indexes they
-- extend (keyset pages use the same leading columns).
DROP INDEX orders_created;
DROP INDEX orders_total;
CREATE INDEX orders_created_covering ON orders(created_at, id, total, status);
CREATE INDEX orders_total_covering ON orders(total, id, created_at, status);
