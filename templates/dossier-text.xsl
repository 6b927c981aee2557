<?xml version="1.0" encoding="UTF-8"?>
<!-- dossier-text.xsl: the plain-text dossier (maildossier), for pasting
     into a ticket.  Input: a document of dossier.xsd.  Same sections as the
     PDF; every line is at most 78 characters except the raw log lines,
     which are copied unchanged (indented by 4 blanks) so that they can be
     searched for.  Edit freely: the command reads this file at run time.
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">

  <xsl:include href="common-text.xsl"/>
  <xsl:output method="text" encoding="UTF-8"/>
  <xsl:strip-space elements="*"/>

  <xsl:variable name="tz">
    <xsl:call-template name="zone">
      <xsl:with-param name="t" select="/dossier/header/window/since"/>
    </xsl:call-template>
  </xsl:variable>

  <xsl:template name="t">
    <xsl:param name="t"/>
    <xsl:call-template name="time">
      <xsl:with-param name="t" select="$t"/>
      <xsl:with-param name="tz" select="$tz"/>
    </xsl:call-template>
  </xsl:template>

  <!-- a report period: its UTC days when it is made of whole days
       (days-from/days-to), else its times -->
  <xsl:template name="period">
    <xsl:param name="from"/>
    <xsl:param name="to"/>
    <xsl:choose>
      <xsl:when test="@days-from and @days-from = @days-to">
        <xsl:value-of select="concat(@days-from, ' (UTC)')"/>
      </xsl:when>
      <xsl:when test="@days-from">
        <xsl:value-of select="concat(@days-from, ' to ', @days-to, ' (UTC)')"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="t"><xsl:with-param name="t" select="$from"/></xsl:call-template>
        <xsl:text> to </xsl:text>
        <xsl:call-template name="t"><xsl:with-param name="t" select="$to"/></xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="/">
    <xsl:apply-templates select="dossier"/>
  </xsl:template>

  <!-- the verdict and what to do first, the evidence coverage last -->
  <xsl:template match="dossier">
    <xsl:apply-templates select="header" mode="title"/>
    <xsl:apply-templates select="summary"/>
    <xsl:apply-templates select="header"/>
    <xsl:apply-templates select="timeline"/>
    <xsl:apply-templates select="messages"/>
    <xsl:apply-templates select="forwarding"/>
    <xsl:apply-templates select="ips"/>
    <xsl:if test="tls-reports/entry">
      <xsl:value-of select="concat($nl, 'TLS reports of Microsoft about mail to our domains (RFC 8460):', $nl)"/>
      <xsl:for-each select="tls-reports/entry">
        <xsl:call-template name="wrap">
          <xsl:with-param name="first" select="'  - '"/>
          <xsl:with-param name="hang" select="'    '"/>
          <xsl:with-param name="text"><xsl:value-of select="."/><xsl:call-template name="cite"><xsl:with-param name="n" select="."/></xsl:call-template></xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
    </xsl:if>
    <xsl:apply-templates select="header/evidence-span"/>
    <xsl:call-template name="sources">
      <xsl:with-param name="title" select="'7. SOURCES'"/>
    </xsl:call-template>
  </xsl:template>

  <!-- ===== header ===== -->
  <xsl:template match="header" mode="title">
    <xsl:variable name="title" select="concat('MAIL DELIVERY DOSSIER - TICKET ', ticket)"/>
    <xsl:value-of select="concat($title, $nl)"/>
    <xsl:call-template name="rule">
      <xsl:with-param name="n" select="string-length($title)"/>
      <xsl:with-param name="c" select="'='"/>
    </xsl:call-template>
    <xsl:value-of select="$nl"/>
  </xsl:template>

  <xsl:template match="header">
    <xsl:value-of select="$nl"/>
    <xsl:call-template name="field">
      <xsl:with-param name="label" select="'Addresses'"/>
      <xsl:with-param name="value">
        <xsl:for-each select="addresses/address">
          <xsl:if test="position() &gt; 1">, </xsl:if>
          <xsl:value-of select="."/>
        </xsl:for-each>
      </xsl:with-param>
    </xsl:call-template>
    <xsl:call-template name="field">
      <xsl:with-param name="label" select="'Window'"/>
      <xsl:with-param name="value">
        <xsl:call-template name="t"><xsl:with-param name="t" select="window/since"/></xsl:call-template>
        <xsl:text> to </xsl:text>
        <xsl:call-template name="t"><xsl:with-param name="t" select="window/until"/></xsl:call-template>
        <xsl:choose>
          <xsl:when test="$tz = 'Z'"> (times in UTC unless marked)</xsl:when>
          <xsl:when test="$tz != ''">
            <xsl:value-of select="concat(' (times in ', $tz, ' unless marked)')"/>
          </xsl:when>
        </xsl:choose>
      </xsl:with-param>
    </xsl:call-template>
    <xsl:call-template name="field">
      <xsl:with-param name="label" select="'Generated'"/>
      <xsl:with-param name="value">
        <xsl:call-template name="t"><xsl:with-param name="t" select="generated-at"/></xsl:call-template>
        <xsl:if test="author != ''">
          <xsl:value-of select="concat(' by ', author)"/>
        </xsl:if>
      </xsl:with-param>
    </xsl:call-template>
    <xsl:if test="organisation != ''">
      <xsl:call-template name="field">
        <xsl:with-param name="label" select="'Organisation'"/>
        <xsl:with-param name="value" select="organisation"/>
      </xsl:call-template>
    </xsl:if>
    <xsl:call-template name="field">
      <xsl:with-param name="label" select="'Tool'"/>
      <xsl:with-param name="value" select="concat('maildossier ', tool-version)"/>
    </xsl:call-template>
    <xsl:call-template name="field">
      <xsl:with-param name="label" select="'Redaction'"/>
      <xsl:with-param name="value">
        <xsl:choose>
          <xsl:when test="redaction = 'off'">off: addresses are shown in full (--no-redact)</xsl:when>
          <xsl:otherwise>on: local parts of third-party addresses are shown as *snip*@domain</xsl:otherwise>
        </xsl:choose>
      </xsl:with-param>
    </xsl:call-template>
    <xsl:if test="notes/note">
      <xsl:value-of select="concat($nl, 'Notes:', $nl)"/>
      <xsl:for-each select="notes/note">
        <xsl:call-template name="wrap">
          <xsl:with-param name="text"><xsl:value-of select="."/><xsl:call-template name="cite"/></xsl:with-param>
          <xsl:with-param name="first" select="'  - '"/>
          <xsl:with-param name="hang" select="'    '"/>
        </xsl:call-template>
      </xsl:for-each>
    </xsl:if>
  </xsl:template>

  <!-- ===== 1 summary ===== -->
  <xsl:template match="summary">
    <xsl:call-template name="heading"><xsl:with-param name="title" select="'1. SUMMARY'"/></xsl:call-template>
    <xsl:for-each select="verdict">
      <xsl:call-template name="wrap">
        <xsl:with-param name="text"><xsl:value-of select="."/><xsl:call-template name="cite"/></xsl:with-param>
      </xsl:call-template>
    </xsl:for-each>
    <xsl:if test="next-step">
      <xsl:value-of select="concat($nl, 'What to do next:', $nl)"/>
      <xsl:for-each select="next-step">
        <xsl:call-template name="wrap">
          <xsl:with-param name="text"><xsl:value-of select="."/><xsl:call-template name="cite"/></xsl:with-param>
          <xsl:with-param name="first" select="'  - '"/>
          <xsl:with-param name="hang" select="'    '"/>
        </xsl:call-template>
      </xsl:for-each>
    </xsl:if>
  </xsl:template>

  <!-- ===== 2 timeline ===== -->
  <xsl:template match="timeline">
    <xsl:call-template name="heading"><xsl:with-param name="title" select="'2. TIMELINE'"/></xsl:call-template>
    <xsl:if test="not(entry)">
      <xsl:value-of select="concat('No message to or from the addresses in the window.', $nl)"/>
    </xsl:if>
    <xsl:for-each select="entry">
      <xsl:variable name="head">
        <xsl:value-of select="concat(@message, '  ')"/>
        <xsl:call-template name="t"><xsl:with-param name="t" select="time"/></xsl:call-template>
        <xsl:value-of select="concat('  ', translate(outcome, '-', ' '))"/>
      </xsl:variable>
      <xsl:call-template name="wrap"><xsl:with-param name="text" select="$head"/></xsl:call-template>
      <xsl:call-template name="wrap">
        <xsl:with-param name="text" select="concat(from, ' -> ', to)"/>
        <xsl:with-param name="first" select="'    '"/>
      </xsl:call-template>
      <xsl:call-template name="wrap">
        <xsl:with-param name="text">
          <xsl:value-of select="text"/>
          <xsl:call-template name="cite"><xsl:with-param name="n" select="text"/></xsl:call-template>
        </xsl:with-param>
        <xsl:with-param name="first" select="'    '"/>
      </xsl:call-template>
    </xsl:for-each>
  </xsl:template>

  <!-- ===== 3 messages ===== -->
  <xsl:template match="messages">
    <xsl:call-template name="heading"><xsl:with-param name="title" select="'3. MESSAGES'"/></xsl:call-template>
    <xsl:if test="not(message)">
      <xsl:value-of select="concat('No message in the window.', $nl)"/>
    </xsl:if>
    <xsl:apply-templates select="message"/>
  </xsl:template>

  <xsl:template match="message">
    <xsl:variable name="head">
      <xsl:value-of select="concat('[', @id, '] ')"/>
      <xsl:call-template name="t"><xsl:with-param name="t" select="time"/></xsl:call-template>
      <xsl:if test="subject != ''">
        <xsl:value-of select="concat(' - ', subject)"/>
      </xsl:if>
    </xsl:variable>
    <xsl:value-of select="$nl"/>
    <xsl:call-template name="wrap">
      <xsl:with-param name="text" select="$head"/>
      <xsl:with-param name="hang" select="'    '"/>
    </xsl:call-template>
    <xsl:if test="message-id != ''">
      <xsl:call-template name="field">
        <xsl:with-param name="indent" select="'  '"/>
        <xsl:with-param name="label" select="'Message-ID'"/>
        <xsl:with-param name="value" select="message-id"/>
      </xsl:call-template>
    </xsl:if>
    <xsl:call-template name="field">
      <xsl:with-param name="indent" select="'  '"/>
      <xsl:with-param name="label" select="'From'"/>
      <xsl:with-param name="value" select="from"/>
    </xsl:call-template>
    <xsl:call-template name="field">
      <xsl:with-param name="indent" select="'  '"/>
      <xsl:with-param name="label" select="'To'"/>
      <xsl:with-param name="value">
        <xsl:for-each select="to">
          <xsl:if test="position() &gt; 1">, </xsl:if>
          <xsl:value-of select="."/>
        </xsl:for-each>
      </xsl:with-param>
    </xsl:call-template>
    <xsl:if test="queue-ids != ''">
      <xsl:call-template name="field">
        <xsl:with-param name="indent" select="'  '"/>
        <xsl:with-param name="label" select="'Queue ids'"/>
        <xsl:with-param name="value" select="queue-ids"/>
      </xsl:call-template>
    </xsl:if>
    <xsl:call-template name="field">
      <xsl:with-param name="indent" select="'  '"/>
      <xsl:with-param name="label" select="'Outcome'"/>
      <xsl:with-param name="value" select="translate(outcome, '-', ' ')"/>
    </xsl:call-template>
    <xsl:call-template name="field">
      <xsl:with-param name="indent" select="'  '"/>
      <xsl:with-param name="label" select="'Verdict'"/>
      <xsl:with-param name="value">
        <xsl:value-of select="verdict"/>
        <xsl:call-template name="cite"><xsl:with-param name="n" select="verdict"/></xsl:call-template>
      </xsl:with-param>
    </xsl:call-template>

    <xsl:value-of select="concat($nl, '  Log lines:', $nl)"/>
    <xsl:if test="not(log-lines/log-line)">
      <xsl:value-of select="concat('    (no log line)', $nl)"/>
    </xsl:if>
    <xsl:for-each select="log-lines/log-line">
      <xsl:call-template name="wrap">
        <xsl:with-param name="text" select="concat(file, ':', line)"/>
        <xsl:with-param name="first" select="'  # '"/>
        <xsl:with-param name="hang" select="'  # '"/>
      </xsl:call-template>
      <!-- translate() costs a fifth of the text dossier: only when needed -->
      <xsl:choose>
        <xsl:when test="contains(text, '&#10;') or contains(text, '&#13;') or contains(text, '&#9;')">
          <xsl:value-of select="concat('    ', translate(text, '&#10;&#13;&#9;', '   '), $nl)"/>
        </xsl:when>
        <xsl:otherwise><xsl:value-of select="concat('    ', text, $nl)"/></xsl:otherwise>
      </xsl:choose>
    </xsl:for-each>

    <xsl:if test="attempts/attempt">
      <xsl:value-of select="concat($nl, '  Delivery attempts:', $nl)"/>
      <xsl:for-each select="attempts/attempt">
        <xsl:variable name="a1">
          <xsl:call-template name="t"><xsl:with-param name="t" select="time"/></xsl:call-template>
          <xsl:value-of select="concat('  ', host, ' ', queue-id)"/>
          <xsl:if test="source-ip != ''">
            <xsl:value-of select="concat(' from ', source-ip)"/>
          </xsl:if>
        </xsl:variable>
        <xsl:call-template name="wrap">
          <xsl:with-param name="text" select="$a1"/>
          <xsl:with-param name="first" select="'  - '"/>
          <xsl:with-param name="hang" select="'      '"/>
        </xsl:call-template>
        <xsl:call-template name="wrap">
          <xsl:with-param name="text">
            <xsl:value-of select="concat('to ', to)"/>
            <xsl:if test="relay != ''">
              <xsl:value-of select="concat(' via ', relay)"/>
            </xsl:if>
            <xsl:if test="relay-ip != ''">
              <xsl:value-of select="concat(' [', relay-ip, ']')"/>
            </xsl:if>
          </xsl:with-param>
          <xsl:with-param name="first" select="'      '"/>
        </xsl:call-template>
        <xsl:call-template name="wrap">
          <xsl:with-param name="text">
            <xsl:value-of select="translate(outcome, '-', ' ')"/>
            <xsl:if test="dsn != ''"><xsl:value-of select="concat(' ', dsn)"/></xsl:if>
            <xsl:if test="reason != ''"><xsl:value-of select="concat(' (', reason, ')')"/></xsl:if>
            <xsl:if test="reply != ''"><xsl:value-of select="concat(': ', reply)"/></xsl:if>
            <xsl:call-template name="cite"/>
          </xsl:with-param>
          <xsl:with-param name="first" select="'      '"/>
        </xsl:call-template>
      </xsl:for-each>
    </xsl:if>

    <xsl:if test="links/link">
      <xsl:value-of select="concat($nl, '  Links:', $nl)"/>
      <xsl:for-each select="links/link">
        <xsl:call-template name="wrap">
          <xsl:with-param name="text"><xsl:value-of select="concat(from, ' -> ', to, ' (', kind, '): ', why)"/><xsl:call-template name="cite"/></xsl:with-param>
          <xsl:with-param name="first" select="'  - '"/>
          <xsl:with-param name="hang" select="'    '"/>
        </xsl:call-template>
      </xsl:for-each>
    </xsl:if>

    <xsl:if test="hops/hop">
      <xsl:value-of select="concat($nl, '  Received hops (newest first):', $nl)"/>
      <xsl:for-each select="hops/hop">
        <xsl:call-template name="wrap">
          <xsl:with-param name="first" select="concat('  ', n, '. ')"/>
          <xsl:with-param name="hang" select="'     '"/>
          <xsl:with-param name="text">
            <xsl:if test="from != ''"><xsl:value-of select="concat('from ', from)"/></xsl:if>
            <xsl:if test="ip != ''"><xsl:value-of select="concat(' [', ip, ']')"/></xsl:if>
            <xsl:if test="by != ''"><xsl:value-of select="concat(' by ', by)"/></xsl:if>
            <xsl:if test="with != ''"><xsl:value-of select="concat(' with ', with)"/></xsl:if>
            <xsl:if test="time != ''">
              <xsl:text>, </xsl:text>
              <xsl:call-template name="t"><xsl:with-param name="t" select="time"/></xsl:call-template>
            </xsl:if>
            <xsl:if test="ours = 'true' or ours = '1'"> (ours)</xsl:if>
            <xsl:call-template name="cite"/>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
    </xsl:if>

    <xsl:if test="authentication/result">
      <xsl:value-of select="concat($nl, '  Authentication and filter results:', $nl)"/>
      <xsl:for-each select="authentication/result">
        <xsl:call-template name="wrap">
          <xsl:with-param name="text">
            <xsl:value-of select="concat(method, '=', result)"/>
            <xsl:if test="detail != ''"><xsl:value-of select="concat(' (', detail, ')')"/></xsl:if>
            <xsl:call-template name="cite"/>
          </xsl:with-param>
          <xsl:with-param name="first" select="'  - '"/>
          <xsl:with-param name="hang" select="'    '"/>
        </xsl:call-template>
      </xsl:for-each>
    </xsl:if>

    <xsl:if test="bounces/bounce">
      <xsl:value-of select="concat($nl, '  Bounces:', $nl)"/>
      <xsl:for-each select="bounces/bounce">
        <xsl:call-template name="wrap">
          <xsl:with-param name="first" select="'  - '"/>
          <xsl:with-param name="hang" select="'    '"/>
          <xsl:with-param name="text">
            <xsl:if test="time != ''">
              <xsl:call-template name="t"><xsl:with-param name="t" select="time"/></xsl:call-template>
              <xsl:text> </xsl:text>
            </xsl:if>
            <xsl:if test="recipient != ''"><xsl:value-of select="concat(recipient, ' ')"/></xsl:if>
            <xsl:if test="status != ''"><xsl:value-of select="concat(status, ' ')"/></xsl:if>
            <xsl:if test="reason != ''"><xsl:value-of select="concat('(', reason, ') ')"/></xsl:if>
            <xsl:if test="remote-mta != ''"><xsl:value-of select="concat('from ', remote-mta, ' ')"/></xsl:if>
            <xsl:if test="ip != ''"><xsl:value-of select="concat('names IP ', ip, ' ')"/></xsl:if>
            <xsl:value-of select="concat(': ', diagnostic)"/>
            <xsl:if test="source != ''"><xsl:value-of select="concat(' (', source, ')')"/></xsl:if>
            <xsl:call-template name="cite"/>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
    </xsl:if>
  </xsl:template>

  <!-- ===== 4 forwarding rules ===== -->
  <xsl:template match="forwarding">
    <xsl:call-template name="heading"><xsl:with-param name="title" select="'4. FORWARDING RULES'"/></xsl:call-template>
    <xsl:if test="not(rule)">
      <xsl:value-of select="concat('No forwarding rule for these addresses in the store.', $nl)"/>
    </xsl:if>
    <xsl:for-each select="rule">
      <xsl:call-template name="wrap">
        <xsl:with-param name="first" select="'- '"/>
        <xsl:with-param name="hang" select="'    '"/>
        <xsl:with-param name="text">
          <xsl:value-of select="concat(address, ' -> ')"/>
          <xsl:for-each select="target">
            <xsl:if test="position() &gt; 1">, </xsl:if>
            <xsl:value-of select="."/>
          </xsl:for-each>
        </xsl:with-param>
      </xsl:call-template>
      <xsl:call-template name="wrap">
        <xsl:with-param name="first" select="'    '"/>
        <xsl:with-param name="text">
          <xsl:choose>
            <xsl:when test="keep-copy = 'true' or keep-copy = '1'">keeps a local copy</xsl:when>
            <xsl:otherwise>no local copy</xsl:otherwise>
          </xsl:choose>
          <xsl:value-of select="concat('; ', kind, ' rule in ', file)"/>
          <xsl:if test="line != ''"><xsl:value-of select="concat(':', line)"/></xsl:if>
          <xsl:if test="seen != ''">
            <xsl:text> (read </xsl:text>
            <xsl:call-template name="t"><xsl:with-param name="t" select="seen"/></xsl:call-template>
            <xsl:text>)</xsl:text>
          </xsl:if>
          <xsl:call-template name="cite"/>
        </xsl:with-param>
      </xsl:call-template>
    </xsl:for-each>
  </xsl:template>

  <!-- ===== 6 evidence coverage ===== -->
  <xsl:template match="evidence-span">
    <xsl:call-template name="heading"><xsl:with-param name="title" select="'6. EVIDENCE COVERAGE'"/></xsl:call-template>
    <xsl:value-of select="concat('Log lines in the window, per host:', $nl)"/>
    <xsl:for-each select="host">
      <xsl:call-template name="wrap">
        <xsl:with-param name="first" select="'  - '"/>
        <xsl:with-param name="hang" select="'    '"/>
        <xsl:with-param name="text">
          <xsl:value-of select="concat(name, ': ')"/>
          <xsl:choose>
            <xsl:when test="first">
              <xsl:call-template name="t"><xsl:with-param name="t" select="first"/></xsl:call-template>
              <xsl:text> to </xsl:text>
              <xsl:call-template name="t"><xsl:with-param name="t" select="last"/></xsl:call-template>
              <xsl:value-of select="concat(', ', lines, ' lines')"/>
            </xsl:when>
            <xsl:otherwise><xsl:value-of select="note"/></xsl:otherwise>
          </xsl:choose>
        </xsl:with-param>
      </xsl:call-template>
    </xsl:for-each>
    <xsl:for-each select="note">
      <xsl:value-of select="$nl"/>
      <xsl:call-template name="wrap"><xsl:with-param name="text" select="."/></xsl:call-template>
    </xsl:for-each>
  </xsl:template>

  <!-- ===== 5 affected IPs ===== -->
  <xsl:template match="ips">
    <xsl:call-template name="heading"><xsl:with-param name="title" select="'5. AFFECTED IPS'"/></xsl:call-template>
    <xsl:if test="not(ip)">
      <xsl:value-of select="concat('No IP of ours in the evidence.', $nl)"/>
    </xsl:if>
    <xsl:for-each select="ip">
      <xsl:value-of select="$nl"/>
      <xsl:call-template name="wrap">
        <xsl:with-param name="text"><xsl:value-of select="concat(address, '  ', host, ' (', role, ')')"/><xsl:call-template name="cite"/></xsl:with-param>
        <xsl:with-param name="hang" select="'    '"/>
      </xsl:call-template>
      <xsl:call-template name="wrap">
        <xsl:with-param name="first" select="'    '"/>
        <xsl:with-param name="text">
          <xsl:text>seen </xsl:text>
          <xsl:call-template name="t"><xsl:with-param name="t" select="first-seen"/></xsl:call-template>
          <xsl:text> to </xsl:text>
          <xsl:call-template name="t"><xsl:with-param name="t" select="last-seen"/></xsl:call-template>
          <xsl:for-each select="counts/count">
            <xsl:choose>
              <xsl:when test="position() = 1">; </xsl:when>
              <xsl:otherwise>, </xsl:otherwise>
            </xsl:choose>
            <xsl:value-of select="concat(translate(@outcome, '-', ' '), ' ', .)"/>
          </xsl:for-each>
        </xsl:with-param>
      </xsl:call-template>
      <xsl:for-each select="evidence/item">
        <xsl:call-template name="wrap">
          <xsl:with-param name="first" select="'  - '"/>
          <xsl:with-param name="hang" select="'      '"/>
          <xsl:with-param name="text">
            <xsl:value-of select="concat('[', kind)"/>
            <xsl:if test="message != ''"><xsl:value-of select="concat(', ', message)"/></xsl:if>
            <xsl:value-of select="concat('] ', text)"/>
            <xsl:call-template name="cite"><xsl:with-param name="n" select="text"/></xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="reputation/snds">
        <xsl:call-template name="wrap">
          <xsl:with-param name="first" select="'  - '"/>
          <xsl:with-param name="hang" select="'      '"/>
          <xsl:with-param name="text">
            <xsl:text>[SNDS] </xsl:text>
            <xsl:call-template name="period"><xsl:with-param name="from" select="start"/><xsl:with-param name="to" select="end"/></xsl:call-template>
            <xsl:value-of select="concat(': filter ', filter)"/>
            <xsl:if test="rcpt != ''"><xsl:value-of select="concat(', RCPT ', rcpt)"/></xsl:if>
            <xsl:if test="data != ''"><xsl:value-of select="concat(', DATA ', data)"/></xsl:if>
            <xsl:if test="recipients != ''"><xsl:value-of select="concat(', recipients ', recipients)"/></xsl:if>
            <xsl:if test="complaint-rate != ''"><xsl:value-of select="concat(', complaints ', complaint-rate)"/></xsl:if>
            <xsl:if test="trap-hits != ''"><xsl:value-of select="concat(', trap hits ', trap-hits)"/></xsl:if>
            <xsl:if test="blocked != ''"><xsl:value-of select="concat(', blocked: ', blocked)"/></xsl:if>
            <xsl:call-template name="cite"/>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="reputation/dmarc">
        <xsl:call-template name="wrap">
          <xsl:with-param name="first" select="'  - '"/>
          <xsl:with-param name="hang" select="'      '"/>
          <xsl:with-param name="text">
            <xsl:value-of select="concat('[DMARC, ', org, '] ')"/>
            <xsl:call-template name="period"><xsl:with-param name="from" select="begin"/><xsl:with-param name="to" select="end"/></xsl:call-template>
            <xsl:value-of select="concat(': ', count, ' messages')"/>
            <xsl:if test="header-from != ''"><xsl:value-of select="concat(' from ', header-from)"/></xsl:if>
            <xsl:value-of select="concat(', disposition ', disposition, ', dkim ', dkim)"/>
            <xsl:if test="dkim = 'mixed'"><xsl:value-of select="concat(' (', dkim/@pass, ' of ', count, ' pass)')"/></xsl:if>
            <xsl:value-of select="concat(', spf ', spf)"/>
            <xsl:if test="spf = 'mixed'"><xsl:value-of select="concat(' (', spf/@pass, ' of ', count, ' pass)')"/></xsl:if>
            <xsl:call-template name="cite"/>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="reputation/microsoft">
        <xsl:call-template name="wrap">
          <xsl:with-param name="first" select="'  - '"/>
          <xsl:with-param name="hang" select="'      '"/>
          <xsl:with-param name="text">
            <xsl:text>Microsoft's answer of </xsl:text>
            <xsl:call-template name="t"><xsl:with-param name="t" select="date"/></xsl:call-template>
            <xsl:value-of select="concat(': ', outcome)"/>
            <xsl:if test="text != ''"><xsl:value-of select="concat(' - ', text)"/></xsl:if>
            <xsl:call-template name="cite"/>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
    </xsl:for-each>
  </xsl:template>

</xsl:stylesheet>
