package tenantry

import "strings"

// The notices background jobs record, each with its reason and params and
// the English text kept as Description.

// CallingUnavailableNotice is the error of a calling package in a country
// without calling.
func CallingUnavailableNotice(country string) Notice {
	return Notice{Code: NoticeCallingUnavailable, Description: "Calling is not available in " + country + ".",
		Reason: ReasonCallingNotOffered, Params: map[string]string{"country": country}}
}

// MeetingsTimeZoneNotice is the warning of a meetings site set up without a
// time zone.
func MeetingsTimeZoneNotice() Notice {
	return Notice{Code: NoticeMeetingsTimeZone, Description: "No meetings time zone was given; the site uses UTC.", Reason: ReasonMeetingsUTC}
}

// AttachRejectedNotice is the error of a customer whose admin rejected
// attaching organization orgID.
func AttachRejectedNotice(orgID string) Notice {
	return Notice{Code: NoticeAttachRejected, Description: "The customer admin rejected attaching organization " + orgID + "; nothing was provisioned.",
		Reason: ReasonAttachRejected, Params: map[string]string{"id": orgID}}
}

// Text is n for one reader: message translates a reason with its params
// into the reader's language (a locale.Translator's Message, in that
// language). A notice with a reason, or one Tenantry recognises
// (Resolved), is translated; any other reads as its stored text. The API
// and the hub both read notices through Text.
func (n Notice) Text(message func(reason string, params map[string]string) string) string {
	n = n.Resolved()
	if n.Reason == "" {
		return n.Description
	}
	return message(n.Reason, n.Params)
}

// Resolved returns n with its reason and params. Notices stored before
// reasons were kept have only their English text; those Tenantry wrote
// itself are recognised by code and text, so that they too read in every
// language. Any other notice (a failed attempt's error) is returned as it
// is, and reads as its text.
func (n Notice) Resolved() Notice {
	if n.Reason != "" {
		return n
	}
	switch n.Code {
	case NoticeCallingUnavailable:
		if c, ok := strings.CutPrefix(n.Description, "Calling is not available in "); ok {
			if c, ok := strings.CutSuffix(c, "."); ok && IsCountry(c) {
				return CallingUnavailableNotice(c)
			}
		}
	case NoticeMeetingsTimeZone:
		if n.Description == MeetingsTimeZoneNotice().Description {
			return MeetingsTimeZoneNotice()
		}
	case NoticeAttachRejected:
		if id, ok := strings.CutPrefix(n.Description, "The customer admin rejected attaching organization "); ok {
			if id, ok := strings.CutSuffix(id, "; nothing was provisioned."); ok {
				return AttachRejectedNotice(id)
			}
		}
	}
	return n
}
