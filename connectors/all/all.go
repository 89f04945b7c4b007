package all

// Every connector package, for its init-time registration.

import (
	_ "github.com/winnow-soc/winnow/connectors/abuseipdb"
	_ "github.com/winnow-soc/winnow/connectors/greynoise"
	_ "github.com/winnow-soc/winnow/connectors/misp"
	_ "github.com/winnow-soc/winnow/connectors/opencti"
	_ "github.com/winnow-soc/winnow/connectors/rdap"
	_ "github.com/winnow-soc/winnow/connectors/shodan"
	_ "github.com/winnow-soc/winnow/connectors/threatfox"
	_ "github.com/winnow-soc/winnow/connectors/urlhaus"
	_ "github.com/winnow-soc/winnow/connectors/virustotal"
)
