-- SPDX-License-Identifier: MIT
-- evenstride store, schema version 5: the part of each run document the history reads.
--
-- activities.history_doc: compact JSON of the keys of the evenstride.run/1 document that
-- evenstride.history.RunRecord.from_run_doc reads (evenstride.store._history_part), about 1-2 KB
-- instead of the whole ~18 KB document: the history of thousands of runs is built from these rows
-- and never decompresses a document. Filled for the runs already stored, from their documents,
-- in the same transaction as this migration (Store._migrate); NULL only for a document that
-- cannot be decoded (the history then reads the document and reports it, as before).

ALTER TABLE activities ADD COLUMN history_doc TEXT;
