// Package retrieval indexes corpus passages and answers queries with cited
// excerpts.
//
// It embeds passages into chromem-go (an in-process vector store) and a BM25
// index, fuses the two rankings, picks the sentences that answer, groups
// near-duplicate reports and abstains when nothing answers. It is the only
// citebot package that imports chromem-go; it must not import bot, cmd or
// discordgo.
package retrieval
