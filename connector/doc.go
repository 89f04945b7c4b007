// Package connector is Winnow's public SDK for plugins: sources that bring
// alerts in and enrichers that look observables up. Connectors are thin
// adapters; the host wraps every one of them with caching, quotas, retries,
// timeouts and metrics, so a connector only speaks its product's protocol.
//
// Connectors register a factory in init(); the registry here is the only
// mutable global in Winnow.
package connector
