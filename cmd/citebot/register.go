package main

import (
	"context"
	"flag"
	"fmt"

	"citebot/bot"
)

const registerUsage = `Usage: citebot register [-guild ID]

Registers citebot's slash commands and the "Find sources" message command
with one bulk overwrite: running it again changes nothing. With a guild id
(-guild, else DISCORD_GUILD_ID) the commands appear at once in that server;
without one they are global and can take a while to appear.

Needs DISCORD_TOKEN and DISCORD_APP_ID.
`

func runRegister(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("register", flag.ContinueOnError)
	guild := fs.String("guild", "", "")
	pos, err := parseFlags(fs, registerUsage, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef(registerUsage, "unexpected argument %q", pos[0])
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	if *guild == "" {
		*guild = c.GuildID
	} else if !isSnowflake(*guild) {
		return usagef(registerUsage, "-guild: %q is not a Discord id", *guild)
	}
	if c.Token == "" {
		return &configError{fmt.Errorf("DISCORD_TOKEN is not set: register needs the bot token (copy .env.example to .env and fill it in)")}
	}
	if c.AppID == "" {
		return &configError{fmt.Errorf("DISCORD_APP_ID is not set: register needs the application id (see .env.example)")}
	}
	cmds := bot.NewRouter(nil, bot.Config{}).Commands()
	gc := bot.GatewayConfig{Token: c.Token, AppID: c.AppID, GuildID: *guild, APIURL: c.APIURL, Logger: e.logger(c)}
	if err := bot.RegisterCommands(ctx, gc, cmds); err != nil {
		return err
	}
	where := "globally"
	if *guild != "" {
		where = "in guild " + *guild
	}
	fmt.Fprintf(e.stdout, "registered %d commands %s\n", len(cmds), where)
	return nil
}
