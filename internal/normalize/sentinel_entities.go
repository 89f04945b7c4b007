package normalize

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/winnow-soc/winnow/alert"
)

// sentinelEntity is one element of a SecurityAlert's Entities column: the
// union of the entity types Winnow reads. Objects that occur more than
// once are written in full once, with a "$id", and elsewhere as
// {"$ref": id}. Reference:
// https://learn.microsoft.com/azure/sentinel/entities-reference
type sentinelEntity struct {
	ID   text `json:"$id"`
	Ref  text `json:"$ref"`
	Type text `json:"Type"`

	// host
	HostName      text `json:"HostName"`
	DNSDomain     text `json:"DnsDomain"`
	NetBiosName   text `json:"NetBiosName"`
	FQDN          text `json:"FQDN"`
	LastIPAddress text `json:"LastIpAddress"`
	MdatpDeviceID text `json:"MdatpDeviceId"`

	// account (Name is also the file, cloud-application and host name)
	Name              text `json:"Name"`
	AccountName       text `json:"AccountName"`
	NTDomain          text `json:"NTDomain"`
	UPNSuffix         text `json:"UPNSuffix"`
	DomainName        text `json:"DomainName"` // account domain, or the dns entity's name
	UserPrincipalName text `json:"UserPrincipalName"`

	// ip
	Address text `json:"Address"`

	// file and filehash
	Directory  text              `json:"Directory"`
	FileHashes []*sentinelEntity `json:"FileHashes"`
	Algorithm  text              `json:"Algorithm"`
	Value      text              `json:"Value"`

	// process
	CommandLine   text            `json:"CommandLine"`
	ProcessID     text            `json:"ProcessId"`
	ImageFile     *sentinelEntity `json:"ImageFile"`
	ParentProcess *sentinelEntity `json:"ParentProcess"`

	// url
	URL text `json:"Url"`

	// mailbox
	MailboxPrimaryAddress text `json:"MailboxPrimaryAddress"`
	Upn                   text `json:"Upn"`

	// mailMessage
	Sender           text  `json:"Sender"`
	P1Sender         text  `json:"P1Sender"`
	P2Sender         text  `json:"P2Sender"`
	Recipient        text  `json:"Recipient"`
	Subject          text  `json:"Subject"`
	SenderIP         text  `json:"SenderIP"`
	NetworkMessageID text  `json:"NetworkMessageId"`
	DeliveryAction   text  `json:"DeliveryAction"`
	DeliveryLocation text  `json:"DeliveryLocation"`
	Urls             texts `json:"Urls"`
	Threats          texts `json:"Threats"`

	// registry-key
	Hive text `json:"Hive"`
	Key  text `json:"Key"`
}

// sentinelEntityIndex maps every $id in the tree to its entity.
func sentinelEntityIndex(es []*sentinelEntity, idx map[string]*sentinelEntity, depth int) {
	if depth > 16 {
		return
	}
	for _, e := range es {
		if e == nil {
			continue
		}
		if e.ID != "" {
			idx[string(e.ID)] = e
		}
		sentinelEntityIndex(e.FileHashes, idx, depth+1)
		sentinelEntityIndex([]*sentinelEntity{e.ImageFile, e.ParentProcess}, idx, depth+1)
	}
}

// resolve follows a $ref; it returns nil for a dangling one.
func (e *sentinelEntity) resolve(idx map[string]*sentinelEntity) *sentinelEntity {
	if e == nil || e.Ref == "" {
		return e
	}
	return idx[string(e.Ref)]
}

// sentinelEntities decodes the Entities column and fills a's entities.
func sentinelEntities(a *alert.Alert, raw []byte) error {
	if len(raw) == 0 || raw[0] != '[' {
		return nil
	}
	var es []*sentinelEntity
	if err := json.Unmarshal(raw, &es); err != nil {
		return fmt.Errorf("sentinel Entities: %w", err)
	}
	idx := map[string]*sentinelEntity{}
	sentinelEntityIndex(es, idx, 0)
	seen := map[*sentinelEntity]bool{}
	for _, top := range es {
		e := top.resolve(idx)
		if e == nil || seen[e] {
			continue
		}
		// A reference to a hash is part of a file already listed.
		if top.Ref != "" && strings.EqualFold(string(e.Type), "filehash") {
			continue
		}
		seen[e] = true
		sentinelEntityTo(a, e, idx, seen)
	}
	msgraphDropEmptyEmail(a)
	return nil
}

func sentinelEntityTo(a *alert.Alert, e *sentinelEntity, idx map[string]*sentinelEntity, seen map[*sentinelEntity]bool) {
	en := &a.Entities
	switch strings.ToLower(string(e.Type)) {
	case "host":
		name := string(e.FQDN)
		if name == "" && e.HostName != "" && e.DNSDomain != "" {
			name = string(e.HostName) + "." + string(e.DNSDomain)
		}
		name = firstOf(text(name), e.HostName, e.NetBiosName)
		if name != "" || e.LastIPAddress != "" {
			en.Hosts = sentinelAddHost(en.Hosts, alert.Host{Name: name, IP: string(e.LastIPAddress), ID: string(e.MdatpDeviceID)})
		}
	case "account":
		name := firstOf(e.AccountName, e.Name, e.UserPrincipalName)
		if name != "" && !slices.ContainsFunc(en.Users, func(u alert.User) bool { return u.Name == name }) {
			en.Users = append(en.Users, alert.User{Name: name, Domain: firstOf(e.NTDomain, e.DomainName, e.UPNSuffix)})
		}
	case "ip":
		if ep, ok := endpoint(string(e.Address), ""); ok && !slices.Contains(en.Src, ep) {
			en.Src = append(en.Src, ep)
		}
	case "file":
		sentinelAddFile(en, e, idx)
	case "filehash":
		f := alert.File{}
		sentinelHash(&f, string(e.Algorithm), string(e.Value))
		if f != (alert.File{}) && !slices.Contains(en.Files, f) {
			en.Files = append(en.Files, f)
		}
	case "process":
		img := e.ImageFile.resolve(idx)
		p := alert.Process{CommandLine: string(e.CommandLine), PID: atoi(string(e.ProcessID))}
		if img != nil {
			p.Name = string(img.Name)
			p.Path = sentinelPath(img)
			if !seen[img] {
				seen[img] = true
				sentinelAddFile(en, img, idx)
			}
		}
		if parent := e.ParentProcess.resolve(idx); parent != nil {
			if pimg := parent.ImageFile.resolve(idx); pimg != nil && pimg.Name != "" {
				p.Parent = string(pimg.Name)
			} else {
				p.Parent = string(parent.CommandLine)
			}
		}
		if p != (alert.Process{}) && !slices.Contains(en.Processes, p) {
			en.Processes = append(en.Processes, p)
		}
	case "url":
		en.URLs = appendUnique(en.URLs, string(e.URL))
	case "dns":
		en.Domains = appendDomain(en.Domains, string(e.DomainName))
	case "mailbox":
		en.Users = appendUser(en.Users, firstOf(e.MailboxPrimaryAddress, e.Upn))
	case "mailmessage":
		if en.Email == nil {
			en.Email = &alert.Email{}
		}
		m := en.Email
		if m.From == "" {
			m.From = firstOf(e.Sender, e.P2Sender, e.P1Sender)
		}
		if m.Subject == "" {
			m.Subject = string(e.Subject)
		}
		m.To = appendUnique(m.To, string(e.Recipient))
		for _, u := range e.Urls {
			en.URLs = appendUnique(en.URLs, u)
		}
		if ep, ok := endpoint(string(e.SenderIP), ""); ok && !slices.Contains(en.Src, ep) {
			en.Src = append(en.Src, ep)
		}
		for _, th := range e.Threats {
			a.Rule.Tags = appendUnique(a.Rule.Tags, "threat:"+th)
		}
		for _, kv := range [][2]text{{"delivery_action", e.DeliveryAction}, {"delivery_location", e.DeliveryLocation}, {"network_message_id", e.NetworkMessageID}} {
			if kv[1] != "" && kv[1] != "Unknown" {
				a.Rule.Tags = appendUnique(a.Rule.Tags, string(kv[0])+":"+string(kv[1]))
			}
		}
	case "registry-key":
		if e.Key != "" {
			a.Text = appendUnique(a.Text, strings.TrimPrefix(string(e.Hive)+`\`+string(e.Key), `\`))
		}
	case "cloud-application":
		if e.Name != "" {
			a.Rule.Tags = appendUnique(a.Rule.Tags, "cloud_application:"+string(e.Name))
		}
	}
}

// sentinelPath joins a file entity's directory and name.
func sentinelPath(f *sentinelEntity) string {
	if f.Directory == "" {
		return ""
	}
	sep := `\`
	if strings.HasPrefix(string(f.Directory), "/") {
		sep = "/"
	}
	return strings.TrimSuffix(string(f.Directory), sep) + sep + string(f.Name)
}

func sentinelAddFile(en *alert.Entities, e *sentinelEntity, idx map[string]*sentinelEntity) {
	f := alert.File{Name: string(e.Name), Path: sentinelPath(e)}
	for _, h := range e.FileHashes {
		if h = h.resolve(idx); h != nil {
			sentinelHash(&f, string(h.Algorithm), string(h.Value))
		}
	}
	if f != (alert.File{}) && !slices.Contains(en.Files, f) {
		en.Files = append(en.Files, f)
	}
}

// sentinelHash stores a hash by its named algorithm, or by length when the
// name is not one Winnow keeps.
func sentinelHash(f *alert.File, algorithm, value string) {
	value = strings.ToLower(strings.TrimSpace(value))
	switch strings.ToUpper(algorithm) {
	case "MD5":
		f.MD5 = value
	case "SHA1":
		f.SHA1 = value
	case "SHA256":
		f.SHA256 = value
	default:
		hashFile(f, value)
	}
}

// sentinelAddHost adds a host unless one of the same name (any case) is
// already listed.
func sentinelAddHost(hosts []alert.Host, h alert.Host) []alert.Host {
	for _, x := range hosts {
		if h.Name != "" && strings.EqualFold(x.Name, h.Name) || h.Name == "" && x.IP == h.IP {
			return hosts
		}
	}
	return append(hosts, h)
}

// sentinelCompromised adds the CompromisedEntity column: a user when it is
// an address, else a host.
func sentinelCompromised(a *alert.Alert, s string) {
	s = strings.TrimSpace(s)
	switch {
	case s == "" || strings.ContainsAny(s, " \t"):
	case strings.Contains(s, "@"):
		a.Entities.Users = appendUser(a.Entities.Users, s)
	case isIP(s):
		a.Entities.Hosts = sentinelAddHost(a.Entities.Hosts, alert.Host{IP: s})
	default:
		a.Entities.Hosts = sentinelAddHost(a.Entities.Hosts, alert.Host{Name: s})
	}
}
