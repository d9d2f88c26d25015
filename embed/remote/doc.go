// Package remote embeds text with an embedding server over HTTP: an
// OpenAI-compatible /v1/embeddings endpoint (OpenAI, vLLM, LM Studio, llama.cpp
// server, …) or Ollama's /api/embed. Requests are batched, bounded by a
// timeout and retried with backoff on 429 and 5xx (honouring Retry-After);
// vectors are checked (count, dimension, finite values) and L2-normalised.
// Errors are *Error: they name the server, never the API key.
//
// The embedders satisfy retrieval.Embedder structurally; this package knows
// nothing of the index, the vector store or Discord.
package remote
