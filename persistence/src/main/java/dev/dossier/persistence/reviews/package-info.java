/**
 * Review runs of the review agents (contract review, code review) with their findings, each
 * quote checked against the documents, and the items the model got wrong reported as errors.
 */
package dev.dossier.persistence.reviews;
