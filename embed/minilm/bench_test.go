package minilm

import (
	"context"
	"testing"
	"time"
)

// benchPassage is a news-like paragraph of about 100 word pieces.
const benchPassage = `The city council voted on Tuesday to expand the late-night bus service after
residents of the river district complained that the last buses left before the hospital's evening
shift ended. The plan adds four routes, costs an estimated $2.4 million a year and will be paid for
by a parking levy, the transport committee's chair, Maria Okafor, told reporters. Critics warned
that fares could rise, and the drivers' union said it had not been consulted.`

func BenchmarkEmbedPassage(b *testing.B) {
	m := testModel(b)
	texts := make([]string, 32)
	for i := range texts {
		texts[i] = benchPassage
	}
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := m.EmbedDocuments(context.Background(), texts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(texts))/b.Elapsed().Seconds(), "passages/s")
	// Per CPU-second, which other load on the machine disturbs much less:
	// on an idle machine passages/s approaches this times the cores.
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(b.N*len(texts))/cpu.Seconds(), "passages/cpu-s")
	}
	b.ReportMetric(float64(len(m.Tokenize(benchPassage))), "tokens/passage")
}

func BenchmarkEmbedQuery(b *testing.B) {
	m := testModel(b)
	q := "who pays for the new late-night bus routes?"
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := m.EmbedQuery(context.Background(), q); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpuTime()-cpu0)
}

// reportCPU reports CPU time per operation, which the machine's other load
// disturbs less than wall-clock time.
func reportCPU(b *testing.B, cpu time.Duration) {
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	}
}

func BenchmarkLoad(b *testing.B) {
	dir := testModelDir(b)
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := Load(dir, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpuTime()-cpu0)
}

// BenchmarkSentencePieceEnds is what retrieval pays per passage to cut its
// word-piece vectors at sentence ends: Pieces of the text up to each one.
func BenchmarkSentencePieceEnds(b *testing.B) {
	m := testModel(b)
	var ends []int
	for i := 0; i < len(benchPassage); i++ {
		if benchPassage[i] == '.' {
			ends = append(ends, i+1)
		}
	}
	for b.Loop() {
		for _, e := range ends {
			m.Pieces(benchPassage[:e])
		}
	}
	b.ReportMetric(float64(len(ends)), "sentences")
}
