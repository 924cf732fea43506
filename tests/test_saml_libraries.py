"""python3-saml signs and checks with the xmlsec wheel, which parses with its own libxml2; lxml
brings another. Two versions in one process fail at import ("lxml & xmlsec libxml2 library
version mismatch"): the pinned wheels (pyproject.toml) must carry the same one."""

import shutil


def test_lxml_and_xmlsec_share_one_libxml2():
    import lxml.etree
    import xmlsec

    assert xmlsec.get_libxml_version() == lxml.etree.LIBXML_VERSION
    from onelogin.saml2.auth import OneLogin_Saml2_Auth  # noqa: F401 (imports xmlsec with lxml)


def test_the_test_idp_has_its_xmlsec1_binary():
    """pysaml2 (the test IdP, tests/idp/saml.py) signs with Debian's xmlsec1 (.ci/run installs it)."""
    assert shutil.which("xmlsec1")
