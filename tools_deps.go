//go:build tools

package main

import (
	_ "charm.land/bubbles/v2/viewport"
	_ "charm.land/bubbletea/v2"
	_ "charm.land/lipgloss/v2"
	_ "github.com/charmbracelet/x/exp/teatest/v2"
	_ "github.com/emersion/go-smtp"
	_ "github.com/miekg/dns"
	_ "go.yaml.in/yaml/v3"
)
