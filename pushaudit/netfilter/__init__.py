"""Netfilter (nftables and iptables) rulesets: parsing, a first-match evaluator, interception."""
