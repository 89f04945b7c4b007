// Package greynoise enriches IP addresses from GreyNoise: the Community API
// (GET /v3/community/{ip}) or, with edition "enterprise", the noise context
// (GET /v2/noise/context/{ip}) and RIOT (GET /v2/riot/{ip}) endpoints. It only
// ever calls its configured base URL, sends the API key in the "key" header
// and never logs, returns or echoes it. RIOT (a known business service) is
// benign, classification malicious is malicious, and noise without a
// classification is a suspicious "scanner"; an IP GreyNoise has not seen
// yields no finding.
package greynoise
