// Package eval measures how well citebot answers: it runs question sets
// (citebot's JSONL format or SQuAD 1.1/2.0 JSON) against a retrieval.Index
// and reports answer quality with abstentions counted honestly, the ranking's
// recall, and the risk–coverage curve of the answer confidence. It also fits
// the abstention calibration (see Fit).
//
// It imports retrieval and corpus and nothing that knows Discord.
package eval
