package attack

// The knowledge base is generated from MITRE's STIX bundle, which lives
// beside the repository (see docs/attack.md); the output is committed.
//go:generate go run ./internal/gen -in ../../../shared/data/attack/enterprise-attack.json.gz -license ../../../shared/data/attack/LICENSE.txt -out .
