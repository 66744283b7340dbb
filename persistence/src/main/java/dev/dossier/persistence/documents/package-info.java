/**
 * Document sets and their documents. A set's {@code contentVersion} goes up by one on every
 * upload or removal, so it keys everything derived from the set's content (the prefix cache).
 * Listing documents never reads their text or original bytes; those have their own methods.
 */
package dev.dossier.persistence.documents;
