package bot

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"citebot/retrieval"
)

// recPoster records what HandleMessage posts.
type recPoster struct {
	mu       sync.Mutex
	threads  []string
	sent     map[string][]*discordgo.MessageSend
	noThread bool
}

func (p *recPoster) StartThread(_ context.Context, channelID, messageID, name string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.noThread {
		return "", errors.New("50024 cannot execute action on this channel type")
	}
	p.threads = append(p.threads, name)
	return messageID, nil
}

func (p *recPoster) Send(_ context.Context, channelID string, m *discordgo.MessageSend) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sent == nil {
		p.sent = map[string][]*discordgo.MessageSend{}
	}
	p.sent[channelID] = append(p.sent[channelID], m)
	return nil
}

func (p *recPoster) Channel(context.Context, string) (ChannelInfo, error) { return ChannelInfo{}, nil }

func (p *recPoster) Recent(context.Context, string, int) ([]*discordgo.Message, error) {
	return nil, nil
}

func (p *recPoster) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, ms := range p.sent {
		n += len(ms)
	}
	return n
}

func mention(id, channel, text string) *discordgo.Message {
	return &discordgo.Message{
		ID: id, ChannelID: channel, GuildID: "g", Content: "<@900> " + text,
		Author:   &discordgo.User{ID: "u1", Username: "ada"},
		Mentions: []*discordgo.User{{ID: "900", Bot: true}},
	}
}

func TestHandleMessageRateLimitNoticeOnce(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	r := NewRouter(gatewayIndex(t), Config{RateLimit: RateLimit{Events: 1, Window: time.Minute}, Now: func() time.Time { return now }})
	p := &recPoster{}
	for i, id := range []string{"1", "2", "3"} {
		r.HandleMessage(t.Context(), mention(id, "c", "who met Baradar in Kabul?"), "900", p)
		if want := min(i+1, 2); p.count() != want {
			t.Fatalf("after %d mentions %d posts, want %d", i+1, p.count(), want)
		}
	}
	slow := p.sent["c"][0]
	if !strings.Contains(slow.Content, "Slow down") || slow.Reference == nil || slow.Reference.MessageID != "2" {
		t.Errorf("rate-limit notice %+v", slow)
	}
	if p.sent["1"] == nil {
		t.Error("the first mention was not answered in its thread")
	}
}

func TestHandleMessageImplicitFollowups(t *testing.T) {
	r := NewRouter(gatewayIndex(t), Config{RateLimit: RateLimit{Events: -1}, MessageContent: true})
	p := &recPoster{}
	r.HandleMessage(t.Context(), mention("10", "c", "who met Baradar in Kabul?"), "900", p)
	if p.sent["10"] == nil {
		t.Fatal("no thread answer")
	}
	plain := func(id, text string) *discordgo.Message {
		return &discordgo.Message{ID: id, ChannelID: "10", GuildID: "g", Content: text, Author: &discordgo.User{ID: "u2", Username: "bob"}}
	}
	// With Message Content, a plain message in the thread is a follow-up…
	r.HandleMessage(t.Context(), plain("11", "when was that?"), "900", p)
	got := p.sent["10"]
	if len(got) != 2 || !strings.Contains(got[1].Content, "Read with the earlier question") {
		t.Fatalf("implicit follow-up: %d posts in the thread", len(got))
	}
	// …but one the corpus cannot answer gets no reply,
	r.HandleMessage(t.Context(), plain("12", "thanks, what did China say about bitcoin?"), "900", p)
	if n := len(p.sent["10"]); n != 2 {
		t.Errorf("an abstention was posted unprompted (%d posts)", n)
	}
	// and plain messages elsewhere are never read.
	other := plain("13", "who met Baradar in Kabul?")
	other.ChannelID = "elsewhere"
	r.HandleMessage(t.Context(), other, "900", p)
	if p.sent["elsewhere"] != nil {
		t.Error("a plain message outside citebot's threads was answered")
	}
	// Without the setting, a plain message in the thread is ignored.
	r2 := NewRouter(gatewayIndex(t), Config{RateLimit: RateLimit{Events: -1}})
	p2 := &recPoster{}
	r2.HandleMessage(t.Context(), mention("20", "c", "who met Baradar in Kabul?"), "900", p2)
	r2.HandleMessage(t.Context(), plain("21", "when was that?"), "900", p2)
	if n := p2.count(); n != 1 {
		t.Errorf("%d posts, want only the first answer", n)
	}
}

func TestHandleMessageDraining(t *testing.T) {
	r := NewRouter(gatewayIndex(t), Config{})
	r.Drain()
	p := &recPoster{}
	r.HandleMessage(t.Context(), mention("1", "c", "who met Baradar in Kabul?"), "900", p)
	if got := p.sent["c"]; len(got) != 1 || got[0].Content != msgDraining {
		t.Errorf("draining reply %+v", got)
	}
	if len(p.threads) != 0 {
		t.Error("a thread was started while draining")
	}
}

func TestAnsweredQuestionUndoesRendering(t *testing.T) {
	for _, q := range []string{"who met *Baradar* in `Kabul`?", "@everyone > is [this] <true>?", "plain"} {
		for _, kind := range []string{"ask", "findsources"} {
			d := renderAnswer(retrieval.Answer{Query: q, Abstained: true}, answerView{Kind: kind}, Links{})
			content := d.Content
			if kind == "findsources" {
				content = "Checked [this message](https://discord.com/channels/1/2/3) by **Ann**.\n" + content
			}
			if got := answeredQuestion(content); got != q {
				t.Errorf("%s: answeredQuestion = %q, want %q (content %q)", kind, got, q, content)
			}
		}
	}
	if got := answeredQuestion("Slow down a little: try again in 3 s."); got != "" {
		t.Errorf("a notice gave question %q", got)
	}
}
