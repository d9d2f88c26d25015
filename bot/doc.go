// Package bot is citebot's Discord face: slash commands, buttons and the
// context-menu command, a router that serves interactions arriving over the
// gateway or the HTTP interactions endpoint and messages that mention the
// bot (answered in threads, over the gateway), and pure renderers from
// retrieval answers to Discord payloads.
//
// It depends on retrieval through the small Searcher interface it declares;
// it must not import cmd or chromem-go.
package bot
