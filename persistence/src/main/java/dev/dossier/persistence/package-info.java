/**
 * Dossier's data in PostgreSQL: document sets with their documents, conversations and the
 * records of computed prefix caches.
 *
 * <p>The application manages its own persistence unit instead of using the application
 * server's container-managed one, so that the start-up order is explicit and identical in the
 * server and in plain tests: {@link dev.dossier.persistence.Database#open} first brings up the
 * connection pool (HikariCP), then lets Flyway migrate the schema
 * ({@code db/migration/V*.sql}), and only then builds Hibernate's
 * {@link jakarta.persistence.EntityManagerFactory} with {@code hibernate.hbm2ddl.auto=validate}:
 * the SQL migrations own the schema, Hibernate checks that the entities match it and never
 * generates DDL. Transactions are RESOURCE_LOCAL, through {@link
 * dev.dossier.persistence.Database#transaction}.
 *
 * <p>The repositories ({@code DocumentSets}, {@code Conversations}, {@code PrefixCaches}) run
 * each public method in one transaction and return immutable view records, never managed
 * entities, so callers cannot hit lazy loading outside a transaction. Lookups by id return
 * {@link java.util.Optional}; operations on something that must exist throw
 * {@link dev.dossier.persistence.NotFoundException}.
 */
package dev.dossier.persistence;
