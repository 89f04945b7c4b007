package normalize

// Member setters of the google_secops decoder: each reads the JSON keys
// of one object of a validated record and skips the rest.

func (d *googleSecopsDetection) set(key, v []byte) error {
	switch string(key) {
	case "id":
		return d.ID.UnmarshalJSON(v)
	case "type":
		return d.Type.UnmarshalJSON(v)
	case "createdTime":
		return d.CreatedTime.UnmarshalJSON(v)
	case "detectionTime":
		return d.DetectionTime.UnmarshalJSON(v)
	case "timeWindow":
		return scanMembers(v, func(k, v []byte) error {
			if string(k) == "endTime" {
				return d.WindowEnd.UnmarshalJSON(v)
			}
			return nil
		})
	case "detection":
		return scanElements(v, func(el []byte) error {
			if d.Detection != nil || len(el) == 0 || el[0] != '{' {
				return nil // Winnow reads the first detection only
			}
			d.Detection = new(googleSecopsRule)
			return scanMembers(el, d.Detection.set)
		})
	case "event":
		return d.addEvent(v)
	case "detections":
		d.List = v
	case "collectionElements":
		return scanElements(v, func(el []byte) error {
			return scanMembers(el, func(k, v []byte) error {
				if string(k) != "references" {
					return nil
				}
				return scanElements(v, func(ref []byte) error {
					return scanMembers(ref, func(k, v []byte) error {
						if string(k) == "event" {
							return d.addEvent(v)
						}
						return nil
					})
				})
			})
		})
	}
	return nil
}

// sub descends straight into the top-level event of Elastic's shape and
// into its nouns, which make up most of the record.
func (d *googleSecopsDetection) sub(key []byte) (func(k, v []byte) error, scanSub) {
	if string(key) != "event" {
		return nil, nil
	}
	ev := new(googleSecopsEvent)
	d.Events = append(d.Events, ev)
	return ev.set, ev.sub
}

func (d *googleSecopsDetection) addEvent(v []byte) error {
	if len(v) == 0 || v[0] != '{' {
		return nil
	}
	ev := new(googleSecopsEvent)
	d.Events = append(d.Events, ev)
	_, err := scanObject(v, ev.set, ev.sub)
	return err
}

func (ev *googleSecopsEvent) sub(key []byte) (func(k, v []byte) error, scanSub) {
	switch string(key) {
	case "principal":
		return ev.Principal.set, nil
	case "target":
		return ev.Target.set, nil
	case "src":
		return ev.Src.set, nil
	case "network":
		return ev.setNetwork, nil
	}
	return nil, nil
}

func (r *googleSecopsRule) set(key, v []byte) error {
	var t *text
	switch string(key) {
	case "ruleName":
		t = &r.RuleName
	case "ruleId":
		t = &r.RuleID
	case "alertState":
		t = &r.AlertState
	case "ruleType":
		t = &r.RuleType
	case "ruleSet":
		t = &r.RuleSet
	case "ruleSetDisplayName":
		t = &r.RuleSetDisplayName
	case "severity":
		t = &r.Severity
	case "riskScore":
		t = &r.RiskScore
	case "description":
		t = &r.Description
	case "detectionFields":
		return googleSecopsLabels(v, &r.DetectionFields)
	case "ruleLabels":
		return googleSecopsLabels(v, &r.RuleLabels)
	case "outcomes":
		return googleSecopsLabels(v, &r.Outcomes)
	default:
		return nil
	}
	return t.UnmarshalJSON(v)
}

// googleSecopsLabels decodes a list of {key, value} objects.
func googleSecopsLabels(v []byte, dst *[]googleSecopsLabel) error {
	return scanElements(v, func(el []byte) error {
		var l googleSecopsLabel
		err := scanMembers(el, func(k, v []byte) error {
			switch string(k) {
			case "key":
				return l.Key.UnmarshalJSON(v)
			case "value":
				return l.Value.UnmarshalJSON(v)
			}
			return nil
		})
		*dst = append(*dst, l)
		return err
	})
}

func (ev *googleSecopsEvent) set(key, v []byte) error {
	switch string(key) {
	case "metadata":
		return scanMembers(v, func(k, v []byte) error {
			switch string(k) {
			case "eventTimestamp", "event_timestamp":
				return ev.EventTimestamp.UnmarshalJSON(v)
			case "logType", "log_type":
				return ev.LogType.UnmarshalJSON(v)
			case "description":
				return ev.Description.UnmarshalJSON(v)
			}
			return nil
		})
	case "principal":
		return scanMembers(v, ev.Principal.set)
	case "target":
		return scanMembers(v, ev.Target.set)
	case "src":
		return scanMembers(v, ev.Src.set)
	case "network":
		return scanMembers(v, ev.setNetwork)
	case "securityResult", "security_result":
		return scanElements(v, func(el []byte) error {
			var sr googleSecopsSecurityResult
			err := scanMembers(el, sr.set)
			ev.SecurityResult = append(ev.SecurityResult, sr)
			return err
		})
	}
	return nil
}

func (ev *googleSecopsEvent) setNetwork(key, v []byte) error {
	switch string(key) {
	case "email":
		return scanMembers(v, func(k, v []byte) error {
			switch string(k) {
			case "from":
				return ev.EmailFrom.UnmarshalJSON(v)
			case "to":
				return scanTexts(v, &ev.EmailTo)
			case "subject":
				return scanTexts(v, &ev.EmailSubject)
			}
			return nil
		})
	case "dns":
		return scanMembers(v, func(k, v []byte) error {
			if string(k) != "questions" {
				return nil
			}
			return scanElements(v, func(el []byte) error {
				return scanMembers(el, func(k, v []byte) error {
					if string(k) != "name" {
						return nil
					}
					var name text
					err := name.UnmarshalJSON(v)
					ev.DNSQuestions = append(ev.DNSQuestions, string(name))
					return err
				})
			})
		})
	}
	return nil
}

func (sr *googleSecopsSecurityResult) set(key, v []byte) error {
	switch string(key) {
	case "severity":
		return sr.Severity.UnmarshalJSON(v)
	case "ruleName", "rule_name":
		return sr.RuleName.UnmarshalJSON(v)
	case "summary":
		return sr.Summary.UnmarshalJSON(v)
	case "attackDetails", "attack_details":
		return scanMembers(v, func(k, v []byte) error {
			var dst *[]string
			switch string(k) {
			case "techniques":
				dst = &sr.Techniques
			case "tactics":
				dst = &sr.Tactics
			default:
				return nil
			}
			// Techniques are kept by id; tactics by id, else name.
			return scanElements(v, func(el []byte) error {
				var id, name text
				err := scanMembers(el, func(k, v []byte) error {
					switch string(k) {
					case "id":
						return id.UnmarshalJSON(v)
					case "name":
						return name.UnmarshalJSON(v)
					}
					return nil
				})
				if s := crowdstrikeFirst(id, name); s != "" && (dst == &sr.Tactics || id != "") {
					*dst = append(*dst, s)
				}
				return err
			})
		})
	}
	return nil
}

func (n *googleSecopsNoun) set(key, v []byte) error {
	switch string(key) {
	case "hostname":
		return n.Hostname.UnmarshalJSON(v)
	case "ip":
		return scanTexts(v, &n.IP)
	case "port":
		return n.Port.UnmarshalJSON(v)
	case "url":
		return n.URL.UnmarshalJSON(v)
	case "asset":
		return scanMembers(v, func(k, v []byte) error {
			switch string(k) {
			case "hostname":
				return n.AssetHostname.UnmarshalJSON(v)
			case "ip":
				return scanTexts(v, &n.AssetIP)
			}
			return nil
		})
	case "user":
		return scanMembers(v, func(k, v []byte) error {
			switch string(k) {
			case "userid":
				return n.UserID.UnmarshalJSON(v)
			case "emailAddresses", "email_addresses":
				return scanTexts(v, &n.EmailAddresses)
			}
			return nil
		})
	case "process":
		if len(v) == 0 || v[0] != '{' {
			return nil
		}
		n.Process = new(googleSecopsProcess)
		return scanMembers(v, n.Process.set)
	case "file":
		return scanMembers(v, n.File.set)
	}
	return nil
}

func (p *googleSecopsProcess) set(key, v []byte) error {
	switch string(key) {
	case "pid":
		return p.PID.UnmarshalJSON(v)
	case "commandLine", "command_line":
		return p.CommandLine.UnmarshalJSON(v)
	case "file":
		return scanMembers(v, p.File.set)
	case "parentProcess", "parent_process":
		p.HasParent = len(v) > 0 && v[0] == '{'
		return scanMembers(v, func(k, v []byte) error {
			if string(k) == "file" {
				return scanMembers(v, p.ParentFile.set)
			}
			return nil
		})
	}
	return nil
}

func (f *googleSecopsFile) set(key, v []byte) error {
	switch string(key) {
	case "fullPath", "full_path":
		return f.FullPath.UnmarshalJSON(v)
	case "sha256":
		return f.SHA256.UnmarshalJSON(v)
	case "sha1":
		return f.SHA1.UnmarshalJSON(v)
	case "md5":
		return f.MD5.UnmarshalJSON(v)
	}
	return nil
}
