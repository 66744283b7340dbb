/**
 * Conversations about a document set: the questions, the model's answers with their
 * generation statistics, and the citations checked against the documents.
 */
package dev.dossier.persistence.conversations;
