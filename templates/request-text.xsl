<?xml version="1.0" encoding="UTF-8"?>
<!-- request-text.xsl: the request to Microsoft's sender support as text,
     field by field in the order of the Outlook.com delivery form, ready to
     copy into it.  Input: a document of request.xsd.  Lines are at most 78
     characters, except the semicolon-separated IP list, which stays on one
     line so that it can be pasted into the form's IP field as it is.
     Edit freely: the command reads this file at run time.
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">

  <xsl:include href="common-text.xsl"/>
  <xsl:output method="text" encoding="UTF-8"/>
  <xsl:strip-space elements="*"/>

  <xsl:variable name="tz">
    <xsl:call-template name="zone">
      <xsl:with-param name="t" select="/request/generated-at"/>
    </xsl:call-template>
  </xsl:variable>

  <xsl:template name="t">
    <xsl:param name="t"/>
    <xsl:call-template name="time">
      <xsl:with-param name="t" select="$t"/>
      <xsl:with-param name="tz" select="$tz"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template name="f">
    <xsl:param name="label"/>
    <xsl:param name="value"/>
    <xsl:call-template name="field">
      <xsl:with-param name="label" select="$label"/>
      <xsl:with-param name="value" select="$value"/>
      <xsl:with-param name="col" select="22"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="/">
    <xsl:apply-templates select="request"/>
  </xsl:template>

  <xsl:template match="request">
    <xsl:variable name="title" select="'REQUEST TO MICROSOFT SENDER SUPPORT (Outlook.com delivery)'"/>
    <xsl:value-of select="concat($title, $nl)"/>
    <xsl:call-template name="rule">
      <xsl:with-param name="n" select="string-length($title)"/>
      <xsl:with-param name="c" select="'='"/>
    </xsl:call-template>
    <xsl:value-of select="$nl"/>
    <xsl:call-template name="wrap">
      <xsl:with-param name="text">
        <xsl:text>Prepared </xsl:text>
        <xsl:call-template name="t"><xsl:with-param name="t" select="generated-at"/></xsl:call-template>
        <xsl:if test="$tz != ''"><xsl:value-of select="concat(' (', $tz, ')')"/></xsl:if>
        <xsl:value-of select="concat(' by maildossier ', tool-version)"/>
        <xsl:if test="window">
          <xsl:text> from the evidence of </xsl:text>
          <xsl:call-template name="t"><xsl:with-param name="t" select="window/since"/></xsl:call-template>
          <xsl:text> to </xsl:text>
          <xsl:call-template name="t"><xsl:with-param name="t" select="window/until"/></xsl:call-template>
        </xsl:if>
        <xsl:text>.</xsl:text>
      </xsl:with-param>
    </xsl:call-template>

    <xsl:call-template name="heading"><xsl:with-param name="title" select="'FORM FIELDS'"/></xsl:call-template>
    <xsl:call-template name="f">
      <xsl:with-param name="label" select="'Problem title'"/>
      <xsl:with-param name="value"><xsl:value-of select="title"/><xsl:call-template name="cite"><xsl:with-param name="n" select="title"/></xsl:call-template></xsl:with-param>
    </xsl:call-template>
    <xsl:call-template name="f">
      <xsl:with-param name="label" select="'Contact name'"/>
      <xsl:with-param name="value" select="contact/name"/>
    </xsl:call-template>
    <xsl:call-template name="f">
      <xsl:with-param name="label" select="'Contact e-mail'"/>
      <xsl:with-param name="value"><xsl:value-of select="contact/email"/><xsl:call-template name="cite"><xsl:with-param name="n" select="contact"/></xsl:call-template></xsl:with-param>
    </xsl:call-template>
    <xsl:if test="contact/phone != ''">
      <xsl:call-template name="f">
        <xsl:with-param name="label" select="'Contact phone'"/>
        <xsl:with-param name="value" select="contact/phone"/>
      </xsl:call-template>
    </xsl:if>
    <xsl:call-template name="f">
      <xsl:with-param name="label" select="'Recipient domains'"/>
      <xsl:with-param name="value">
        <xsl:for-each select="recipient-domains/domain">
          <xsl:if test="position() &gt; 1">; </xsl:if>
          <xsl:value-of select="."/>
          <xsl:call-template name="cite"><xsl:with-param name="n" select="."/></xsl:call-template>
        </xsl:for-each>
      </xsl:with-param>
    </xsl:call-template>
    <xsl:call-template name="f">
      <xsl:with-param name="label" select="'Sender domains'"/>
      <xsl:with-param name="value">
        <xsl:for-each select="sender-domains/domain">
          <xsl:if test="position() &gt; 1">; </xsl:if>
          <xsl:value-of select="."/>
        </xsl:for-each>
        <xsl:call-template name="cite"><xsl:with-param name="n" select="sender-domains"/></xsl:call-template>
      </xsl:with-param>
    </xsl:call-template>
    <xsl:call-template name="f">
      <xsl:with-param name="label" select="'Organisation'"/>
      <xsl:with-param name="value">
        <xsl:value-of select="organisation/name"/>
        <xsl:if test="normalize-space(organisation/description) != ''">
          <xsl:value-of select="concat(': ', organisation/description)"/>
        </xsl:if>
        <xsl:call-template name="cite"><xsl:with-param name="n" select="organisation"/></xsl:call-template>
      </xsl:with-param>
    </xsl:call-template>
    <xsl:call-template name="f">
      <xsl:with-param name="label" select="'Dedicated or shared'"/>
      <xsl:with-param name="value">
        <xsl:choose>
          <xsl:when test="ip-usage = 'unknown'">not declared ([microsoft] ip_usage)</xsl:when>
          <xsl:otherwise><xsl:value-of select="ip-usage"/> (declared by the postmaster: [microsoft] ip_usage)</xsl:otherwise>
        </xsl:choose>
        <xsl:call-template name="cite"><xsl:with-param name="n" select="ip-usage"/></xsl:call-template>
      </xsl:with-param>
    </xsl:call-template>
    <xsl:call-template name="f">
      <xsl:with-param name="label" select="'Kind of sender'"/>
      <xsl:with-param name="value">
        <xsl:choose>
          <xsl:when test="normalize-space(sender-kind) = ''">not declared ([microsoft] sender_kind)</xsl:when>
          <xsl:otherwise><xsl:value-of select="sender-kind"/> (declared by the postmaster: [microsoft] sender_kind)</xsl:otherwise>
        </xsl:choose>
        <xsl:call-template name="cite"><xsl:with-param name="n" select="sender-kind"/></xsl:call-template>
      </xsl:with-param>
    </xsl:call-template>

    <xsl:value-of select="concat($nl, 'Outgoing IP addresses (for the form, separated by semicolons):', $nl)"/>
    <xsl:for-each select="ips/ip[channel/@name = 'sender-support']">
      <xsl:if test="position() &gt; 1">; </xsl:if>
      <xsl:value-of select="address"/>
    </xsl:for-each>
    <xsl:value-of select="$nl"/>

    <xsl:value-of select="concat($nl, 'Outgoing IP addresses, one per line:', $nl)"/>
    <xsl:for-each select="ips/ip[channel/@name = 'sender-support']">
      <xsl:value-of select="concat(address, $nl)"/>
    </xsl:for-each>

    <xsl:if test="ips/ip[channel/@name = 'delist-portal']">
      <xsl:call-template name="heading"><xsl:with-param name="title" select="'NOT FOR THIS FORM: DELIST PORTAL (https://sender.office.com)'"/></xsl:call-template>
      <xsl:for-each select="ips/ip[channel/@name = 'delist-portal']">
        <xsl:call-template name="wrap">
          <xsl:with-param name="text"><xsl:value-of select="concat(address, ' - ', host, ': ', channel)"/><xsl:call-template name="cite"><xsl:with-param name="n" select="channel"/></xsl:call-template></xsl:with-param>
          <xsl:with-param name="hang" select="'    '"/>
        </xsl:call-template>
        <xsl:call-template name="wrap">
          <xsl:with-param name="text"><xsl:value-of select="evidence"/><xsl:call-template name="cite"><xsl:with-param name="n" select="evidence"/></xsl:call-template></xsl:with-param>
          <xsl:with-param name="first" select="'    '"/>
        </xsl:call-template>
      </xsl:for-each>
    </xsl:if>

    <xsl:call-template name="heading"><xsl:with-param name="title" select="'IP ADDRESSES: ROLE AND EVIDENCE'"/></xsl:call-template>
    <xsl:for-each select="ips/ip">
      <xsl:call-template name="wrap">
        <xsl:with-param name="text">
          <xsl:choose>
            <xsl:when test="party = 'foreign'"><xsl:value-of select="concat(address, ' - NOT OURS: outside our networks and not one of our hosts')"/></xsl:when>
            <xsl:when test="party = 'network'"><xsl:value-of select="concat(address, ' - ours (in our networks, no host section)')"/></xsl:when>
            <xsl:otherwise><xsl:value-of select="concat(address, ' - ', host, ', ', role)"/></xsl:otherwise>
          </xsl:choose>
          <xsl:call-template name="cite"><xsl:with-param name="n" select="party"/></xsl:call-template>
        </xsl:with-param>
        <xsl:with-param name="hang" select="'    '"/>
      </xsl:call-template>
      <xsl:call-template name="wrap">
        <xsl:with-param name="text"><xsl:value-of select="evidence"/><xsl:call-template name="cite"><xsl:with-param name="n" select="evidence"/></xsl:call-template></xsl:with-param>
        <xsl:with-param name="first" select="'    '"/>
      </xsl:call-template>
      <xsl:if test="last-answer != ''">
        <xsl:call-template name="wrap">
          <xsl:with-param name="text"><xsl:value-of select="concat('Your last answer: ', last-answer)"/><xsl:call-template name="cite"><xsl:with-param name="n" select="last-answer"/></xsl:call-template></xsl:with-param>
          <xsl:with-param name="first" select="'    '"/>
        </xsl:call-template>
      </xsl:if>
      <xsl:call-template name="wrap">
        <xsl:with-param name="text">
          <xsl:choose>
            <xsl:when test="channel/@name = 'delist-portal'">Channel: Microsoft's delist portal. </xsl:when>
            <xsl:when test="channel/@name = 'operator'">Channel: its operator. </xsl:when>
            <xsl:otherwise>Channel: sender support (this form). </xsl:otherwise>
          </xsl:choose>
          <xsl:value-of select="channel"/><xsl:call-template name="cite"><xsl:with-param name="n" select="channel"/></xsl:call-template>
        </xsl:with-param>
        <xsl:with-param name="first" select="'    '"/>
        <xsl:with-param name="hang" select="'    '"/>
      </xsl:call-template>
    </xsl:for-each>

    <xsl:call-template name="heading"><xsl:with-param name="title" select="'ERROR MESSAGES (IN FULL)'"/></xsl:call-template>
    <xsl:if test="not(errors/error)">
      <xsl:value-of select="concat('No error message in the logs.', $nl)"/>
    </xsl:if>
    <xsl:for-each select="errors/error">
      <xsl:call-template name="wrap">
        <xsl:with-param name="text" select="text"/>
        <xsl:with-param name="first" select="concat(position(), '. ')"/>
        <xsl:with-param name="hang" select="'   '"/>
      </xsl:call-template>
      <xsl:call-template name="wrap">
        <xsl:with-param name="first" select="'   '"/>
        <xsl:with-param name="text">
          <xsl:value-of select="concat('Seen ', count, ' time')"/>
          <xsl:if test="count != 1">s</xsl:if>
          <xsl:text>, </xsl:text>
          <xsl:call-template name="t"><xsl:with-param name="t" select="first"/></xsl:call-template>
          <xsl:if test="last != first">
            <xsl:text> to </xsl:text>
            <xsl:call-template name="t"><xsl:with-param name="t" select="last"/></xsl:call-template>
          </xsl:if>
          <xsl:value-of select="concat(' (UTC ', translate(first-utc, 'TZ', ' '))"/>
          <xsl:if test="last-utc != first-utc">
            <xsl:value-of select="concat(' to ', translate(last-utc, 'TZ', ' '))"/>
          </xsl:if>
          <xsl:text>)</xsl:text>
          <xsl:if test="server">
            <xsl:value-of select="concat('; Microsoft server: ', server)"/>
          </xsl:if>
          <xsl:if test="ips/ip">
            <xsl:text>; IPs: </xsl:text>
            <xsl:for-each select="ips/ip">
              <xsl:if test="position() &gt; 1">; </xsl:if>
              <xsl:value-of select="."/>
            </xsl:for-each>
          </xsl:if>
          <xsl:text>.</xsl:text>
          <xsl:call-template name="cite"><xsl:with-param name="n" select="."/></xsl:call-template>
        </xsl:with-param>
      </xsl:call-template>
    </xsl:for-each>

    <xsl:call-template name="heading"><xsl:with-param name="title" select="'VOLUMES, OPT-IN, PROGRAMS'"/></xsl:call-template>
    <xsl:if test="volumes/note != ''">
      <xsl:call-template name="f">
        <xsl:with-param name="label" select="'Volume'"/>
        <xsl:with-param name="value"><xsl:value-of select="volumes/note"/><xsl:call-template name="cite"><xsl:with-param name="n" select="volumes/note"/></xsl:call-template></xsl:with-param>
      </xsl:call-template>
    </xsl:if>
    <xsl:if test="volumes/day">
      <xsl:value-of select="concat('Messages to Microsoft per day (from our logs):', $nl)"/>
      <xsl:for-each select="volumes/day">
        <xsl:value-of select="concat('  ', date, '  ', messages)"/>
        <xsl:call-template name="cite"><xsl:with-param name="n" select="."/></xsl:call-template>
        <xsl:value-of select="$nl"/>
      </xsl:for-each>
    </xsl:if>
    <xsl:call-template name="f">
      <xsl:with-param name="label" select="'Opt-in'"/>
      <xsl:with-param name="value">
        <xsl:choose>
          <xsl:when test="normalize-space(opt-in) = ''">not declared ([microsoft] optin)</xsl:when>
          <xsl:otherwise><xsl:value-of select="opt-in"/> (declared by the postmaster: [microsoft] optin)</xsl:otherwise>
        </xsl:choose>
        <xsl:call-template name="cite"><xsl:with-param name="n" select="opt-in"/></xsl:call-template>
      </xsl:with-param>
    </xsl:call-template>
    <xsl:call-template name="f">
      <xsl:with-param name="label" select="'SNDS'"/>
      <xsl:with-param name="value">
        <xsl:choose>
          <xsl:when test="not(enrolment/snds)">not declared ([microsoft] snds)</xsl:when>
          <xsl:when test="enrolment/snds = 'true' or enrolment/snds = '1'">enrolled (declared by the postmaster: [microsoft] snds)</xsl:when>
          <xsl:otherwise>not enrolled (declared by the postmaster: [microsoft] snds)</xsl:otherwise>
        </xsl:choose>
        <xsl:call-template name="cite"><xsl:with-param name="n" select="enrolment/snds"/></xsl:call-template>
      </xsl:with-param>
    </xsl:call-template>
    <xsl:call-template name="f">
      <xsl:with-param name="label" select="'JMRP'"/>
      <xsl:with-param name="value">
        <xsl:choose>
          <xsl:when test="not(enrolment/jmrp)">not declared ([microsoft] jmrp)</xsl:when>
          <xsl:when test="enrolment/jmrp = 'true' or enrolment/jmrp = '1'">enrolled (declared by the postmaster: [microsoft] jmrp)</xsl:when>
          <xsl:otherwise>not enrolled (declared by the postmaster: [microsoft] jmrp)</xsl:otherwise>
        </xsl:choose>
        <xsl:call-template name="cite"><xsl:with-param name="n" select="enrolment/jmrp"/></xsl:call-template>
      </xsl:with-param>
    </xsl:call-template>

    <xsl:if test="domain-authentication/paragraph">
      <xsl:call-template name="heading"><xsl:with-param name="title" select="'SENDING DOMAINS AND OUTLOOK.COM AUTHENTICATION (SPF, DKIM, DMARC)'"/></xsl:call-template>
      <xsl:for-each select="domain-authentication/paragraph">
        <xsl:if test="position() &gt; 1"><xsl:value-of select="$nl"/></xsl:if>
        <xsl:call-template name="wrap">
          <xsl:with-param name="text"><xsl:value-of select="."/><xsl:call-template name="cite"><xsl:with-param name="n" select="."/></xsl:call-template></xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
    </xsl:if>

    <xsl:call-template name="heading"><xsl:with-param name="title" select="'PROBLEM DESCRIPTION'"/></xsl:call-template>
    <xsl:for-each select="problem/paragraph">
      <xsl:if test="position() &gt; 1"><xsl:value-of select="$nl"/></xsl:if>
      <xsl:call-template name="wrap">
        <xsl:with-param name="text"><xsl:value-of select="."/><xsl:call-template name="cite"><xsl:with-param name="n" select="."/></xsl:call-template></xsl:with-param>
      </xsl:call-template>
    </xsl:for-each>

    <xsl:if test="tickets/ticket">
      <xsl:call-template name="heading"><xsl:with-param name="title" select="'OUR TICKETS'"/></xsl:call-template>
      <xsl:for-each select="tickets/ticket">
        <xsl:call-template name="wrap">
          <xsl:with-param name="text"><xsl:value-of select="concat(number, ': ', summary)"/><xsl:call-template name="cite"><xsl:with-param name="n" select="summary"/></xsl:call-template></xsl:with-param>
          <xsl:with-param name="first" select="'- '"/>
          <xsl:with-param name="hang" select="'  '"/>
        </xsl:call-template>
      </xsl:for-each>
    </xsl:if>
    <xsl:call-template name="sources">
      <xsl:with-param name="title" select="'SOURCES OF THIS REQUEST'"/>
    </xsl:call-template>
  </xsl:template>

</xsl:stylesheet>
