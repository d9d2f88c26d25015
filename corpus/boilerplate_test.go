package corpus

import "testing"

func TestIsBoilerplate(t *testing.T) {
	rules := boilerplateRules()
	tests := []struct {
		in   string
		want bool
	}{
		{"© 2024 Cable News Network. A Warner Bros. Discovery Company. All Rights Reserved. CNN Sans ™ & © 2016 Cable News Network.", true},
		{"Copyright 2021 The Example Times", true},
		{"(c) 2020 Example Media", true},
		{"All rights reserved.", true},
		{"WATCH WION LIVE HERE:", true},
		{"Watch NDTV live here", true},
		{"CNN’s Jennifer Hansler contributed reporting.", true},
		{"Jane Doe contributed to this report.", true},
		{"Reporting by John Smith; Editing by Ann Lee", true},
		{"(With inputs from agencies)", true},
		{"With inputs from PTI", true},
		{"Press TV’s website can also be accessed at the following alternate addresses:", true},
		{"Read more: Taliban bans girls from universities", true},
		{"Follow us on Twitter", true},
		{"Subscribe to our newsletter", true},
		{"Advertisement", true},
		{"By Kylie Atwood, CNN", true},
		{"Updated 3:04 PM ET, Wed May 24, 2023", true},
		{"Published: 23 May 2023", true},
		{"Related:", true},
		{"READ MORE: Taliban bans women from universities", true},
		{"Story continues below advertisement", true},
		{"5 min read", true},
		{"Related talks were held in Doha on Monday.", false},
		{"by the way, officials said nothing", false},
		{"By Monday, the Taliban had taken Kabul.", false},
		{"Published reports said the meeting was secret.", false},
		// Real sentences that merely mention the words stay.
		{"The Taliban watched as the US left, and officials said the group would live with the outcome of talks that many analysts and diplomats had long predicted would fail.", false},
		{"Follow-up talks were held in Doha on Monday.", false},
		{"The meeting focused on counter-terrorism", false},
		{"Reporters contributed reporting to a long investigation that ran for months across many countries and many newsrooms, uncovering a great deal of evidence about the network and its financing and its leaders.", false},
	}
	for _, tc := range tests {
		if got := isBoilerplate(rules, tc.in); got != tc.want {
			t.Errorf("isBoilerplate(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestIsCaption(t *testing.T) {
	rules := captionRules()
	tests := []struct {
		in   string
		want bool
	}{
		{"CIA Director William Burns (Photo by Reuters)", true},
		{"Taliban fighters in Kabul. (File photo)", true},
		{"Ashraf Ghani (Image: AFP)", true},
		{"Photo: Getty Images", true},
		{"Image credit: AP", true},
		{"Taliban fighters patrol Kabul. Photo by AFP", true},
		{"The Taliban laid siege to Kabul on August 15 (local time).", false},
		{"He posted a photo of the meeting on Twitter.", false},
	}
	for _, tc := range tests {
		if got := isCaption(rules, tc.in); got != tc.want {
			t.Errorf("isCaption(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestIsBreadcrumb(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"News / Afghanistan", true},
		{"Home > World > Asia", true},
		{"World » Middle East", true},
		{"News | Politics", true},
		{"The US / Taliban talks ended.", false},
		{"open 24/7", false},
		{"news / afghanistan", false},
		{"Afghanistan", false},
	}
	for _, tc := range tests {
		if got := isBreadcrumb(tc.in); got != tc.want {
			t.Errorf("isBreadcrumb(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestIsSubheading(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"Taliban rejects extension:", true},
		{"Biden expected to keep deadline:", true},
		{"What happens next:", true},
		{"He said:", false},
		{"The statement reads as follows:", false},
		{"Press TV’s website can also be accessed at the following alternate addresses:", false},
		{"Taliban rejects extension", false},
		{"lower case heading:", false},
		{"It ended. Then this:", false},
	}
	for _, tc := range tests {
		if got := isSubheading(tc.in); got != tc.want {
			t.Errorf("isSubheading(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestIsHeadlineLike(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"US spy chief holds secret meeting with Taliban leader: Report", true},
		{"The meeting focused on counter-terrorism", true},
		{"Qatar’s prime minister met secretly with the Taliban’s top leader.", false},
		{"Taliban rejects extension:", false},
		{"Kabul", false},
	}
	for _, tc := range tests {
		if got := isHeadlineLike(tc.in); got != tc.want {
			t.Errorf("isHeadlineLike(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
