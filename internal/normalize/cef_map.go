package normalize

import (
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

// cefFields are the extension values the mapping reads, by CEF key (and
// the WithSecure details_* keys that carry the same facts).
type cefFields struct {
	src, dst, spt, dpt, shost, dhost      string
	suser, duser, sntdom, dntdom          string
	fname, filePath, fileHash             string
	oldFileName, oldFilePath, oldFileHash string
	request, act, cat, msg                string
	rt, start, end                        string
	deviceExternalID, externalID, eventID string
	dvc, dvchost                          string
	sproc, dproc, spid, dpid              string
	labels                                map[string]string // cs1Label... by the key they label
	custom                                []cefPair         // cs*, cn*, flexString*, in order
	text                                  []string
	techniques                            []string
	// WithSecure (F-Secure) Elements
	wsHostIP, wsTime, wsIP, wsPort     string
	wsFile, wsSHA1, wsProc, wsProcID   string
	wsCommand, wsInitiator, wsProcName string
	wsUser                             string
}

// set records one pair; unknown keys stay in Raw only.
func (f *cefFields) set(k, v string) {
	switch k {
	case "src", "c6a2":
		f.src = cefFirst(f.src, v)
	case "dst", "c6a3":
		f.dst = cefFirst(f.dst, v)
	case "spt":
		f.spt = v
	case "dpt":
		f.dpt = v
	case "shost":
		f.shost = v
	case "dhost":
		f.dhost = v
	case "suser":
		f.suser = v
	case "duser":
		f.duser = v
	case "sntdom":
		f.sntdom = v
	case "dntdom":
		f.dntdom = v
	case "fname":
		f.fname = v
	case "filePath":
		f.filePath = v
	case "fileHash":
		f.fileHash = v
	case "oldFileName":
		f.oldFileName = v
	case "oldFilePath":
		f.oldFilePath = v
	case "oldFileHash":
		f.oldFileHash = v
	case "request":
		f.request = v
	case "requestClientApplication":
		f.text = append(f.text, "user agent: "+v)
	case "act":
		f.act = v
	case "cat":
		f.cat = cefUnquote(v)
	case "msg":
		f.msg = v
	case "rt":
		f.rt = v
	case "start":
		f.start = v
	case "end":
		f.end = v
	case "deviceExternalId":
		f.deviceExternalID = v
	case "externalId":
		f.externalID = v
	case "eventId":
		f.eventID = v
	case "dvc":
		f.dvc = v
	case "dvchost":
		f.dvchost = v
	case "sproc", "sourceProcessName":
		f.sproc = v
	case "dproc", "destinationProcessName", "deviceProcessName":
		f.dproc = cefFirst(f.dproc, v)
	case "spid", "sourceProcessId":
		f.spid = v
	case "dpid", "destinationProcessId":
		f.dpid = v
	case "details_hostIpAddress", "details_ipAddress":
		f.wsHostIP = cefFirst(f.wsHostIP, v)
	case "details_clientTimestamp":
		f.wsTime = v
	case "details_ip":
		f.wsIP = v
	case "details_port":
		f.wsPort = v
	case "details_filePath", "details_path":
		f.wsFile = cefFirst(f.wsFile, v)
	case "details_sha1":
		f.wsSHA1 = v
	case "details_processPath":
		f.wsProc = v
	case "details_processId":
		f.wsProcID = v
	case "details_process":
		f.wsProcName = v
	case "details_command":
		f.wsCommand = v
	case "details_initiator":
		f.wsInitiator = v
	case "details_userName":
		f.wsUser = v
	default:
		switch {
		case strings.HasSuffix(k, "Label") && cefCustomKey(k[:len(k)-len("Label")]):
			if f.labels == nil {
				f.labels = map[string]string{}
			}
			f.labels[k[:len(k)-len("Label")]] = v
		case cefCustomKey(k):
			f.custom = append(f.custom, cefPair{k, v})
		}
	}
}

// cefCustomKey reports whether k is one of the labelled custom slots:
// cs1-cs6, cn1-cn3, cfp1-cfp4, flexString1-2, flexNumber1-2, c6a1-c6a4.
func cefCustomKey(k string) bool {
	for _, p := range []string{"cs", "cn", "cfp", "flexString", "flexNumber", "flexDate", "c6a"} {
		if n, ok := strings.CutPrefix(k, p); ok && len(n) == 1 && n[0] >= '1' && n[0] <= '6' {
			return true
		}
	}
	return false
}

func cefFirst(old, v string) string {
	if old != "" {
		return old
	}
	return v
}

// cefTechniqueWords names custom labels that hold ATT&CK IDs.
var cefTechniqueWords = []string{"technique", "mitre", "att&ck", "attack"}

// alert builds the canonical alert.
func (ev *cefEvent) alert(raw []byte) (alert.Alert, error) {
	vendor, product, sigID, name, sev := ev.header[1], ev.header[2], ev.header[4], ev.header[5], ev.header[6]
	severity, err := cefSeverity(sev)
	if err != nil {
		return alert.Alert{}, err
	}
	title := strings.TrimSpace(name)
	if title == "" {
		title = strings.TrimSpace(sigID)
	}
	if title == "" {
		return alert.Alert{}, fmt.Errorf("%w: neither Name nor Signature ID", errCEF)
	}
	var f cefFields
	for _, p := range ev.ext {
		v := p.val
		if ev.escaped {
			v = syslogUnescape(v)
		}
		if v = strings.TrimSpace(v); v != "" && v != "N/A" {
			f.set(p.key, v)
		}
	}
	a := alert.Alert{
		Source:         "cef",
		Title:          title,
		Description:    f.msg,
		Severity:       severity,
		SourceSeverity: sev,
		Rule:           alert.Rule{ID: strings.TrimSpace(sigID), Name: strings.TrimSpace(name), Category: f.cat},
	}
	for _, t := range [][2]string{{"vendor:", vendor}, {"product:", product}, {"action:", f.act}} {
		if v := strings.TrimSpace(t[1]); v != "" {
			a.Rule.Tags = append(a.Rule.Tags, t[0]+v)
		}
	}
	if a.Time, err = f.time(ev.syslog); err != nil {
		return alert.Alert{}, err
	}
	switch id := cefFirst(f.eventID, f.externalID); {
	case id != "" && f.deviceExternalID != "":
		a.ID = f.deviceExternalID + ":" + id
	case id != "":
		a.ID = id
	default:
		a.ID = alert.ContentID("cef", raw)
	}
	f.entities(&a.Entities, ev.syslog)
	f.customs(&a)
	a.Text = append(a.Text, f.text...)
	return a, nil
}

// time picks the event time: rt (device receipt time), then end, then
// start, then WithSecure's client timestamp, then an RFC 5424 header.
func (f *cefFields) time(h syslogHeader) (time.Time, error) {
	for _, c := range []struct{ key, v string }{{"rt", f.rt}, {"end", f.end}, {"start", f.start}, {"details_clientTimestamp", f.wsTime}} {
		if c.v == "" {
			continue
		}
		t, err := syslogVendorTime(c.v)
		if err != nil {
			return time.Time{}, fmt.Errorf("%w: %s: %w", errCEF, c.key, err)
		}
		return t, nil
	}
	return h.time, nil
}

func (f *cefFields) entities(e *alert.Entities, h syslogHeader) {
	if f.dvchost != "" || f.dvc != "" {
		e.Hosts = append(e.Hosts, alert.Host{Name: f.dvchost, IP: cefAddr(f.dvc), ID: f.deviceExternalID})
	} else if f.wsHostIP != "" || (f.shost != "" && f.src == "") {
		// An endpoint product reporting on the machine it runs on.
		e.Hosts = append(e.Hosts, alert.Host{Name: f.shost, IP: cefAddr(f.wsHostIP), ID: f.deviceExternalID})
	} else if h.host != "" {
		e.Hosts = append(e.Hosts, alert.Host{Name: h.host})
	}
	if ep, ok := endpoint(f.src, f.spt); ok {
		if ep.Hostname == "" && f.shost != f.src {
			ep.Hostname = f.shost
		}
		e.Src = append(e.Src, ep)
	}
	dst, dport := f.dst, f.dpt
	if dst == "" && f.wsIP != "" {
		dst, dport = f.wsIP, f.wsPort
	}
	if ep, ok := endpoint(cefFirst(dst, f.dhost), dport); ok {
		if ep.Hostname == "" && dst != "" && f.dhost != dst {
			ep.Hostname = f.dhost
		}
		e.Dst = append(e.Dst, ep)
	}
	for _, h := range []string{f.shost, f.dhost} {
		if strings.Contains(h, ".") {
			e.Domains = appendDomain(e.Domains, h)
		}
	}
	for _, u := range []alert.User{cefUser(f.suser, f.sntdom), cefUser(f.duser, f.dntdom), cefUser(f.wsUser, "")} {
		if u.Name != "" && !cefHasUser(e.Users, u) {
			e.Users = append(e.Users, u)
		}
	}
	cefFile(e, f.fname, f.filePath, f.fileHash)
	cefFile(e, f.oldFileName, f.oldFilePath, f.oldFileHash)
	cefFile(e, "", f.wsFile, f.wsSHA1)
	if f.sproc != "" {
		e.Processes = append(e.Processes, alert.Process{Name: f.sproc, PID: atoi(f.spid)})
	}
	if f.dproc != "" {
		e.Processes = append(e.Processes, alert.Process{Name: f.dproc, PID: atoi(f.dpid)})
	}
	if f.wsProc != "" || f.wsProcName != "" || f.wsCommand != "" || f.wsInitiator != "" {
		p := alert.Process{Path: cefFirst(f.wsProc, f.wsInitiator), Name: f.wsProcName, CommandLine: f.wsCommand, PID: atoi(f.wsProcID)}
		if p.Name == "" && p.Path != "" {
			p.Name = cefBase(p.Path)
		}
		e.Processes = append(e.Processes, p)
	}
	if f.request != "" {
		e.URLs = appendUnique(e.URLs, f.request)
	}
}

// customs turns the labelled custom slots into text ("Label: value") and
// collects ATT&CK IDs from slots whose label names them.
func (f *cefFields) customs(a *alert.Alert) {
	for _, p := range f.custom {
		label := f.labels[p.key]
		if label == "" {
			label = p.key
		}
		a.Text = append(a.Text, label+": "+p.val)
		l := strings.ToLower(label)
		for _, w := range cefTechniqueWords {
			if strings.Contains(l, w) {
				for _, tok := range strings.FieldsFunc(p.val, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '|' }) {
					if isTechniqueID(tok) {
						a.Techniques = appendUnique(a.Techniques, tok)
					}
				}
				break
			}
		}
	}
}

func cefHasUser(us []alert.User, u alert.User) bool {
	for _, x := range us {
		if x.Name == u.Name && x.Domain == u.Domain {
			return true
		}
	}
	return false
}

// cefFile adds a file when there is a name, path or hash.
func cefFile(e *alert.Entities, name, p, hash string) {
	if name == "" && p == "" && hash == "" {
		return
	}
	if name == "" && p != "" {
		name = cefBase(p)
	}
	f := alert.File{Name: name, Path: p}
	hashFile(&f, strings.ToLower(hash))
	for _, old := range e.Files {
		if old == f {
			return
		}
	}
	e.Files = append(e.Files, f)
}

// cefBase is the last element of a Windows or POSIX path.
func cefBase(p string) string {
	if i := strings.LastIndexByte(p, '\\'); i >= 0 {
		return p[i+1:]
	}
	return path.Base(p)
}
