package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"citebot/embed/minilm"

	"github.com/joho/godotenv"

	"citebot/weaviatestore"
)

// config is everything citebot reads from the environment. Each field names
// its variable in the table of README.md and .env.example.
type config struct {
	Corpus string // CITEBOT_CORPUS: directory replacing the bundled corpus
	Index  string // CITEBOT_INDEX: index directory, "off" for memory only

	Embedder    string // CITEBOT_EMBEDDER: local | minilm | hash | openai | ollama
	ModelDir    string // CITEBOT_MODEL_DIR: the MiniLM model (default under the user cache; "" if there is none)
	EmbedURL    string // CITEBOT_EMBED_URL
	EmbedModel  string // CITEBOT_EMBED_MODEL
	EmbedDims   int    // CITEBOT_EMBED_DIMENSIONS
	QueryPrefix string // CITEBOT_EMBED_QUERY_PREFIX
	DocPrefix   string // CITEBOT_EMBED_DOC_PREFIX
	OpenAIKey   string // OPENAI_API_KEY (never logged)

	AbstainThreshold float64 // CITEBOT_ABSTAIN_THRESHOLD (0 = the calibration's threshold)
	Calibration      string  // CITEBOT_CALIBRATION: file written by citebot calibrate
	ANNProbes        int     // CITEBOT_ANN_PROBES (0 = no partitions)
	ANNCandidates    int     // CITEBOT_ANN_CANDIDATES (0 = calibrated per index)
	ANNMin           int     // CITEBOT_ANN_MIN_PASSAGES (0 = the index's default)
	LateInteraction  bool    // CITEBOT_LATE_INTERACTION: re-score the first candidates by word pieces (MiniLM)

	Store               string   // CITEBOT_STORE: memory | weaviate
	WeaviateURLs        []string // CITEBOT_WEAVIATE_URL (comma-separated)
	WeaviateKey         string   // CITEBOT_WEAVIATE_API_KEY (never logged)
	WeaviateReplication int      // CITEBOT_WEAVIATE_REPLICATION
	WeaviateConsistency string   // CITEBOT_WEAVIATE_CONSISTENCY: ONE | QUORUM | ALL
	WeaviateFusion      string   // CITEBOT_WEAVIATE_FUSION: citebot | relative | ranked

	Token           string   // DISCORD_TOKEN (never logged)
	AppID           string   // DISCORD_APP_ID
	GuildID         string   // DISCORD_GUILD_ID
	APIURL          string   // DISCORD_API_URL
	PublicKey       string   // DISCORD_PUBLIC_KEY (hex)
	Channels        []string // CITEBOT_CHANNELS
	PrivateDefault  bool     // CITEBOT_PRIVATE_DEFAULT
	RegisterOnStart bool     // CITEBOT_REGISTER_ON_START
	Mentions        bool     // CITEBOT_MENTIONS: answer @mentions, DMs and thread follow-ups (gateway only)
	MessageContent  bool     // CITEBOT_MESSAGE_CONTENT: read every message in citebot's threads
	RateEvents      int      // CITEBOT_RATE_LIMIT "5/30s"
	RateWindow      time.Duration

	HTTPAddr   string // CITEBOT_HTTP_ADDR
	PublicURL  string // CITEBOT_PUBLIC_URL
	LogFormat  string // CITEBOT_LOG_FORMAT: text | json
	LogLevel   string // CITEBOT_LOG_LEVEL: debug | info | warn | error
	LogQueries bool   // CITEBOT_LOG_QUERIES
}

// defaultAPIURL is Discord's REST base; DISCORD_API_URL overrides it for
// proxies and tests.
const defaultAPIURL = "https://discord.com"

// withDotenv returns a getenv that falls back to the KEY=VALUE pairs of the
// .env file at path when the real environment leaves a variable unset, so the
// environment always wins. A missing file is not an error.
func withDotenv(getenv func(string) string, path string) (func(string) string, error) {
	vals, err := godotenv.Read(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return getenv, nil
		}
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return vals[k]
	}, nil
}

// loadConfig reads and validates the configuration. Errors name the variable.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		Corpus:      strings.TrimSpace(getenv("CITEBOT_CORPUS")),
		Index:       strings.TrimSpace(getenv("CITEBOT_INDEX")),
		Embedder:    strings.ToLower(strings.TrimSpace(getenv("CITEBOT_EMBEDDER"))),
		ModelDir:    strings.TrimSpace(getenv("CITEBOT_MODEL_DIR")),
		EmbedURL:    strings.TrimSpace(getenv("CITEBOT_EMBED_URL")),
		EmbedModel:  strings.TrimSpace(getenv("CITEBOT_EMBED_MODEL")),
		QueryPrefix: getenv("CITEBOT_EMBED_QUERY_PREFIX"),
		DocPrefix:   getenv("CITEBOT_EMBED_DOC_PREFIX"),
		OpenAIKey:   strings.TrimSpace(getenv("OPENAI_API_KEY")),
		Calibration: strings.TrimSpace(getenv("CITEBOT_CALIBRATION")),
		Token:       strings.TrimSpace(getenv("DISCORD_TOKEN")),
		AppID:       strings.TrimSpace(getenv("DISCORD_APP_ID")),
		GuildID:     strings.TrimSpace(getenv("DISCORD_GUILD_ID")),
		APIURL:      strings.TrimRight(strings.TrimSpace(getenv("DISCORD_API_URL")), "/"),
		PublicKey:   strings.TrimSpace(getenv("DISCORD_PUBLIC_KEY")),
		HTTPAddr:    strings.TrimSpace(getenv("CITEBOT_HTTP_ADDR")),
		PublicURL:   strings.TrimRight(strings.TrimSpace(getenv("CITEBOT_PUBLIC_URL")), "/"),
		LogFormat:   strings.ToLower(strings.TrimSpace(getenv("CITEBOT_LOG_FORMAT"))),
		LogLevel:    strings.ToLower(strings.TrimSpace(getenv("CITEBOT_LOG_LEVEL"))),
	}
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{name}, args...)...))
	}
	boolVar := func(name string, def bool) bool {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return def
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad(name, "want true or false, got %q", v)
		}
		return b
	}
	c.PrivateDefault = boolVar("CITEBOT_PRIVATE_DEFAULT", false)
	c.LateInteraction = boolVar("CITEBOT_LATE_INTERACTION", true)
	c.RegisterOnStart = boolVar("CITEBOT_REGISTER_ON_START", false)
	c.LogQueries = boolVar("CITEBOT_LOG_QUERIES", false)
	c.Mentions = boolVar("CITEBOT_MENTIONS", true)
	c.MessageContent = boolVar("CITEBOT_MESSAGE_CONTENT", false)
	if c.MessageContent && !c.Mentions {
		bad("CITEBOT_MESSAGE_CONTENT", "reads messages in citebot's threads, which CITEBOT_MENTIONS=false turns off")
	}

	if c.Index == "" {
		c.Index = defaultIndexDir(getenv)
	}
	if c.ModelDir == "" {
		c.ModelDir, _ = minilm.DefaultDir(getenv)
	}
	switch c.Embedder {
	case "":
		c.Embedder = "local"
	case "local", "minilm", "hash":
	case "openai", "ollama":
		if c.EmbedModel == "" {
			bad("CITEBOT_EMBED_MODEL", "required when CITEBOT_EMBEDDER=%s", c.Embedder)
		}
	default:
		bad("CITEBOT_EMBEDDER", "want local, minilm, hash, openai or ollama, got %q", c.Embedder)
	}
	if v := strings.TrimSpace(getenv("CITEBOT_EMBED_DIMENSIONS")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			bad("CITEBOT_EMBED_DIMENSIONS", "want a positive whole number, got %q", v)
		}
		c.EmbedDims = n
	}
	if v := strings.TrimSpace(getenv("CITEBOT_ABSTAIN_THRESHOLD")); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 || f > 3 {
			bad("CITEBOT_ABSTAIN_THRESHOLD", "want a number in (0, 3], got %q", v)
		}
		c.AbstainThreshold = f
	}
	if v := strings.TrimSpace(getenv("CITEBOT_ANN_PROBES")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > 100000 {
			bad("CITEBOT_ANN_PROBES", "want a whole number of vector partitions from 1 to 100000, got %q", v)
		}
		c.ANNProbes = n
	}
	if v := strings.TrimSpace(getenv("CITEBOT_ANN_CANDIDATES")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > 10_000_000 {
			bad("CITEBOT_ANN_CANDIDATES", "want a whole number of passages from 1 to 10000000, got %q", v)
		}
		c.ANNCandidates = n
	}
	if v := strings.TrimSpace(getenv("CITEBOT_ANN_MIN_PASSAGES")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			bad("CITEBOT_ANN_MIN_PASSAGES", "want a positive whole number of passages, got %q", v)
		}
		c.ANNMin = n
	}
	if c.EmbedURL != "" {
		if err := checkURL(c.EmbedURL); err != nil {
			bad("CITEBOT_EMBED_URL", "%v", err)
		}
	}
	if c.APIURL == "" {
		c.APIURL = defaultAPIURL
	} else if err := checkURL(c.APIURL); err != nil {
		bad("DISCORD_API_URL", "%v", err)
	}
	if c.PublicURL != "" {
		if err := checkURL(c.PublicURL); err != nil {
			bad("CITEBOT_PUBLIC_URL", "%v", err)
		}
	}
	for _, id := range strings.Split(getenv("CITEBOT_CHANNELS"), ",") {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		if !isSnowflake(id) {
			bad("CITEBOT_CHANNELS", "%q is not a channel id (digits only)", id)
		}
		c.Channels = append(c.Channels, id)
	}
	for _, v := range []struct{ name, val string }{{"DISCORD_APP_ID", c.AppID}, {"DISCORD_GUILD_ID", c.GuildID}} {
		if v.val != "" && !isSnowflake(v.val) {
			bad(v.name, "%q is not a Discord id (digits only)", v.val)
		}
	}
	c.RateEvents, c.RateWindow = 5, 30*time.Second
	if v := strings.TrimSpace(getenv("CITEBOT_RATE_LIMIT")); v != "" {
		n, w, err := parseRate(v)
		if err != nil {
			bad("CITEBOT_RATE_LIMIT", "%v", err)
		}
		c.RateEvents, c.RateWindow = n, w
	}
	c.Store, c.WeaviateReplication = "memory", 1
	switch v := strings.ToLower(strings.TrimSpace(getenv("CITEBOT_STORE"))); v {
	case "", "memory":
	case "weaviate":
		c.Store = v
	default:
		bad("CITEBOT_STORE", "want memory or weaviate, got %q", v)
	}
	if u := getenv("CITEBOT_WEAVIATE_URL"); strings.TrimSpace(u) != "" || c.Store == "weaviate" {
		urls, err := weaviatestore.ParseURLs(u)
		if err != nil {
			bad("CITEBOT_WEAVIATE_URL", "%v (required with CITEBOT_STORE=weaviate)", err)
		}
		c.WeaviateURLs = urls
	}
	c.WeaviateKey = strings.TrimSpace(getenv("CITEBOT_WEAVIATE_API_KEY"))
	if v := strings.TrimSpace(getenv("CITEBOT_WEAVIATE_REPLICATION")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 64 {
			bad("CITEBOT_WEAVIATE_REPLICATION", "want a whole number from 1 to 64, got %q", v)
		}
		c.WeaviateReplication = n
	}
	lvl, err := weaviatestore.ParseConsistency(getenv("CITEBOT_WEAVIATE_CONSISTENCY"))
	if err != nil {
		bad("CITEBOT_WEAVIATE_CONSISTENCY", "%v", err)
	}
	c.WeaviateConsistency = lvl
	switch v := strings.ToLower(strings.TrimSpace(getenv("CITEBOT_WEAVIATE_FUSION"))); v {
	case "", "citebot":
		c.WeaviateFusion = "citebot"
	case weaviatestore.FusionRelative, weaviatestore.FusionRanked:
		c.WeaviateFusion = v
	default:
		bad("CITEBOT_WEAVIATE_FUSION", "want citebot, relative or ranked, got %q", v)
	}
	switch c.LogFormat {
	case "", "text", "json":
	default:
		bad("CITEBOT_LOG_FORMAT", "want text or json, got %q", c.LogFormat)
	}
	switch c.LogLevel {
	case "", "debug", "info", "warn", "error":
	default:
		bad("CITEBOT_LOG_LEVEL", "want debug, info, warn or error, got %q", c.LogLevel)
	}
	return c, errors.Join(errs...)
}

// defaultIndexDir is the user cache directory, from the given environment so
// tests stay hermetic; with neither variable set the index stays in memory.
func defaultIndexDir(getenv func(string) string) string {
	if d := getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "citebot")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".cache", "citebot")
	}
	return "off"
}

// parseRate reads "N/duration", e.g. "5/30s": N events per window.
func parseRate(s string) (int, time.Duration, error) {
	ns, ds, ok := strings.Cut(s, "/")
	n, err := strconv.Atoi(strings.TrimSpace(ns))
	if !ok || err != nil || n <= 0 {
		return 0, 0, fmt.Errorf("want N/duration such as 5/30s, got %q", s)
	}
	d, err := time.ParseDuration(strings.TrimSpace(ds))
	if err != nil || d <= 0 {
		return 0, 0, fmt.Errorf("want N/duration such as 5/30s, got %q", s)
	}
	return n, d, nil
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("want an http(s) URL, got %q", s)
	}
	return nil
}

func isSnowflake(s string) bool {
	if len(s) == 0 || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
