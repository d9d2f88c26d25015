package bot

import (
	"math"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// discordgo's option accessors (StringValue, IntValue, …) panic on a wrong
// type or a nil option; these return ok=false instead, so a malformed or
// unexpected payload becomes a clear reply, never a crash.

// findOption returns the named option, or nil.
func findOption(opts []*discordgo.ApplicationCommandInteractionDataOption, name string) *discordgo.ApplicationCommandInteractionDataOption {
	for _, o := range opts {
		if o != nil && o.Name == name {
			return o
		}
	}
	return nil
}

// stringOption returns a string option's value.
func stringOption(opts []*discordgo.ApplicationCommandInteractionDataOption, name string) (string, bool) {
	o := findOption(opts, name)
	if o == nil {
		return "", false
	}
	s, ok := o.Value.(string)
	return s, ok
}

// intOption returns an integer option's value. JSON numbers decode as
// float64; non-integral or out-of-range values are rejected.
func intOption(opts []*discordgo.ApplicationCommandInteractionDataOption, name string) (int, bool) {
	o := findOption(opts, name)
	if o == nil {
		return 0, false
	}
	f, ok := o.Value.(float64)
	if !ok || f != math.Trunc(f) || math.Abs(f) > 1e9 {
		return 0, false
	}
	return int(f), true
}

// boolOption returns a boolean option's value.
func boolOption(opts []*discordgo.ApplicationCommandInteractionDataOption, name string) (bool, bool) {
	o := findOption(opts, name)
	if o == nil {
		return false, false
	}
	b, ok := o.Value.(bool)
	return b, ok
}

// focusedOption returns the option being typed in an autocomplete request
// and its text so far.
func focusedOption(opts []*discordgo.ApplicationCommandInteractionDataOption) (name, text string) {
	for _, o := range opts {
		if o != nil && o.Focused {
			s, _ := o.Value.(string)
			return o.Name, s
		}
	}
	return "", ""
}

// questionText validates free text typed as a question or query: trimmed,
// non-empty and at most 500 code points.
func questionText(opts []*discordgo.ApplicationCommandInteractionDataOption, name, what string) (string, error) {
	s, _ := stringOption(opts, name)
	s = strings.TrimSpace(s)
	if s == "" {
		return "", userErrorf("Please type a %s, for example `/ask question: Who met the Taliban leader in Kandahar?`", what)
	}
	if n := runeLen(s); n > maxQuestionRunes {
		return "", userErrorf("That %s is %d characters long; the limit is %d. Please shorten it.", what, n, maxQuestionRunes)
	}
	return s, nil
}

// Option definitions shared by several commands.
func privateOptionDef() *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{
		Type:        discordgo.ApplicationCommandOptionBoolean,
		Name:        "private",
		Description: "Only you see the reply (default set by the server admin)",
	}
}

func sourceOptionDef() *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{
		Type:         discordgo.ApplicationCommandOptionString,
		Name:         "source",
		Description:  "Only passages from this publisher",
		Autocomplete: true,
		MaxLength:    100,
	}
}

// sourceChoices autocompletes publishers containing text (case-insensitive).
func sourceChoices(sources []string, text string) []*discordgo.ApplicationCommandOptionChoice {
	text = strings.ToLower(strings.TrimSpace(text))
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	for _, s := range sources {
		if len(choices) == maxChoices {
			break
		}
		if s == "" || runeLen(s) > maxChoiceValue || !strings.Contains(strings.ToLower(s), text) {
			continue
		}
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: truncate(s, maxChoiceName), Value: s})
	}
	return choices
}
