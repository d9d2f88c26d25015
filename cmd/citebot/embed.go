package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strconv"
	"strings"
)

const embedUsage = `Usage: citebot embed [-json] [-doc] "text"

Prints the vector the configured embedder (CITEBOT_EMBEDDER; MiniLM when it
is installed) gives text: as a search query, or with -doc as a passage (the
two differ for models with query and document prefixes). For debugging and
for comparing vectors with another implementation.

Flags:
  -json   print {"embedder": name, "dims": n, "vector": [...]}
  -doc    embed text as a passage rather than a query

Examples:
  citebot embed "who won the election?"
  citebot embed -json "Café déjà vu" | jq .dims
`

func runEmbed(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("embed", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "")
	asDoc := fs.Bool("doc", false, "")
	pos, err := parseFlags(fs, embedUsage, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef(embedUsage, "missing text")
	}
	text := strings.Join(pos, " ")
	c, err := e.config()
	if err != nil {
		return err
	}
	emb, err := newEmbedder(c, e.cliLogger(c))
	if err != nil {
		return &configError{fmt.Errorf("CITEBOT_EMBEDDER=%s: %w", c.Embedder, err)}
	}
	var vec []float32
	if *asDoc {
		var vs [][]float32
		if vs, err = emb.EmbedDocuments(ctx, []string{text}); err == nil && len(vs) != 1 {
			err = fmt.Errorf("%d vectors for one text", len(vs))
		}
		if err == nil {
			vec = vs[0]
		}
	} else {
		vec, err = emb.EmbedQuery(ctx, text)
	}
	if err != nil {
		return fmt.Errorf("embedding with %s: %w", emb.Name(), err)
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(struct {
			Embedder string    `json:"embedder"`
			Dims     int       `json:"dims"`
			Vector   []float32 `json:"vector"`
		}{emb.Name(), len(vec), vec})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s, %d dims\n", emb.Name(), len(vec))
	for i, v := range vec {
		b.WriteString(strconv.FormatFloat(float64(v), 'f', 7, 32))
		if i%8 == 7 || i == len(vec)-1 {
			b.WriteByte('\n')
		} else {
			b.WriteByte(' ')
		}
	}
	_, err = fmt.Fprint(e.stdout, b.String())
	return err
}
