// Package yamlnode reads decoded YAML node trees the way spflab's loaders
// do (lessons, zonedata): through aliases and document nodes, with null
// told apart from an empty value. The loaders walk nodes rather than
// decode into Go values so that every error names its line.
package yamlnode

import "go.yaml.in/yaml/v3"

// Deref follows aliases and unwraps a document node; an empty document is
// a null scalar at the document's line. A chain longer than 100 aliases
// stops where it is (the budget walker refuses such input before).
func Deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && i < 100; i++ {
		switch n.Kind {
		case yaml.AliasNode:
			if n.Alias == nil {
				return n
			}
			n = n.Alias
		case yaml.DocumentNode:
			if len(n.Content) == 0 {
				return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: n.Line}
			}
			n = n.Content[0]
		default:
			return n
		}
	}
	return n
}

// IsNull reports whether n is absent or YAML's null (~, null, nothing).
func IsNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}
