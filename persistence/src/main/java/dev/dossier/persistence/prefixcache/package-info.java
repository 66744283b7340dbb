/**
 * Records of computed prefix caches: the model state after reading a set's documents, stored
 * in a file and keyed by (set, content version, model, attention layout). The rows say what
 * exists and how far a computation got; the files themselves are the caller's.
 */
package dev.dossier.persistence.prefixcache;
