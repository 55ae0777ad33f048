#!/usr/bin/python3
"""The judge of permaudit's Windows access check: Samba's se_access_check (python3-samba).

Reads one case a line on stdin, as JSON: {"sddl": ..., "sids": [...], "desired": N}. The SDDL must already
be in the form Samba 4.17 reads: SIDs as S-1-..., masks in hex with generic rights mapped for the object
type (Samba's SDDL parser lacks KA/KR/KW/KX, reads a malformed mask as 0, and its check does not map
generic rights: the Swift test translates and maps before it asks). Prints one line per case:
{"granted": true, "mask": N} or {"granted": false} or {"error": "..."}.
"""
import json
import sys

try:
    import samba.security as security_check
    from samba import NTSTATUSError
    from samba.dcerpc import security
except ImportError as e:  # the Swift test checks for this before it starts
    print(json.dumps({"error": "python3-samba is not installed: %s" % e}))
    sys.exit(3)

DOMAIN = security.dom_sid("S-1-5-21-1000-2000-3000")


def judge(case):
    sd = security.descriptor.from_sddl(case["sddl"], DOMAIN)
    back = sd.as_sddl(DOMAIN)
    token = security.token()
    token.sids = [security.dom_sid(s) for s in case["sids"]]
    token.num_sids = len(case["sids"])
    try:
        mask = security_check.access_check(sd, token, case["desired"])
        return {"granted": True, "mask": mask, "parsed": back}
    except NTSTATUSError:
        return {"granted": False, "parsed": back}


for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    try:
        print(json.dumps(judge(json.loads(line))))
    except Exception as e:  # a case Samba cannot read is a failure of the test, shown as such
        print(json.dumps({"error": "%s: %s" % (type(e).__name__, e)}))
    sys.stdout.flush()
