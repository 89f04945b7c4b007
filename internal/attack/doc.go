// Package attack maps alerts to MITRE ATT&CK techniques. It embeds a compact
// ATT&CK Enterprise knowledge base generated from MITRE's STIX bundle (KB)
// and applies tested content mappings (Mapper). Both are immutable once
// built, safe for concurrent use, and do no I/O: the same alert and the same
// content give the same techniques, in the same order, byte for byte.
//
// ATT&CK® data © The MITRE Corporation, reproduced and distributed with the
// permission of The MITRE Corporation; see ATTACK_LICENSE.txt.
package attack
