<?xml version="1.0" encoding="UTF-8"?>
<!-- common-text.xsl: helpers for the plain-text renderings (maildossier).

     Included by dossier-text.xsl and request-text.xsl.  Everything here
     keeps lines at or below $width characters: "wrap" fills words into
     lines (a word longer than a line is cut), "rule" repeats a character,
     "time" shows an xs:dateTime as "YYYY-MM-DD hh:mm:ss", with its zone
     only when it differs from $tz.  Edit freely; no recompiling needed.
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:md="urn:x-maildossier:xslt" exclude-result-prefixes="md">

  <xsl:variable name="nl" select="'&#10;'"/>
  <xsl:param name="width" select="78"/>

  <!-- zone of a dateTime: 'Z', '+02:00', or '' -->
  <xsl:template name="zone">
    <xsl:param name="t"/>
    <xsl:variable name="n" select="string-length($t)"/>
    <xsl:choose>
      <xsl:when test="$n &gt; 19 and substring($t, $n) = 'Z'">Z</xsl:when>
      <xsl:when test="$n &gt;= 25 and substring($t, $n - 2, 1) = ':'
                      and (substring($t, $n - 5, 1) = '+' or substring($t, $n - 5, 1) = '-')">
        <xsl:value-of select="substring($t, $n - 5)"/>
      </xsl:when>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="time">
    <xsl:param name="t"/>
    <xsl:param name="tz" select="''"/>
    <xsl:variable name="z">
      <xsl:call-template name="zone"><xsl:with-param name="t" select="$t"/></xsl:call-template>
    </xsl:variable>
    <xsl:value-of select="translate(substring($t, 1, string-length($t) - string-length($z)), 'T', ' ')"/>
    <xsl:if test="$z != '' and $z != $tz">
      <xsl:value-of select="concat(' ', $z)"/>
    </xsl:if>
  </xsl:template>

  <!-- cite: the footnote marker of a claim: src="s3 s7 s8 s9" gives
       " [3,7-9]", the numbers of the sources appendix (ascending in the
       document); nothing without src -->
  <xsl:template name="cite">
    <xsl:param name="n" select="."/>
    <xsl:choose>
      <!-- the marker maildossier wrote (its runs made once, in C) -->
      <xsl:when test="normalize-space($n/@mark) != ''">
        <xsl:value-of select="concat(' [', $n/@mark, ']')"/>
      </xsl:when>
      <xsl:when test="normalize-space($n/@src) != ''">
        <xsl:text> [</xsl:text>
        <xsl:call-template name="cite-runs">
          <xsl:with-param name="s" select="concat(translate(normalize-space($n/@src), 's', ''), ' ')"/>
        </xsl:call-template>
        <xsl:text>]</xsl:text>
      </xsl:when>
    </xsl:choose>
  </xsl:template>

  <!-- cite-runs: "3 7 8 9 " as "3,7-9" (runs of three or more joined) -->
  <xsl:template name="cite-runs">
    <xsl:param name="s"/>
    <xsl:param name="start" select="''"/>
    <xsl:param name="prev" select="''"/>
    <xsl:variable name="cur" select="substring-before($s, ' ')"/>
    <xsl:choose>
      <xsl:when test="$start != '' and $cur != '' and number($cur) = number($prev) + 1">
        <xsl:call-template name="cite-runs">
          <xsl:with-param name="s" select="substring-after($s, ' ')"/>
          <xsl:with-param name="start" select="$start"/>
          <xsl:with-param name="prev" select="$cur"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise>
        <xsl:if test="$start != ''">
          <xsl:value-of select="$start"/>
          <xsl:if test="number($prev) = number($start) + 1"><xsl:value-of select="concat(',', $prev)"/></xsl:if>
          <xsl:if test="number($prev) &gt; number($start) + 1"><xsl:value-of select="concat('-', $prev)"/></xsl:if>
          <xsl:if test="$cur != ''">,</xsl:if>
        </xsl:if>
        <xsl:if test="$cur != ''">
          <xsl:call-template name="cite-runs">
            <xsl:with-param name="s" select="substring-after($s, ' ')"/>
            <xsl:with-param name="start" select="$cur"/>
            <xsl:with-param name="prev" select="$cur"/>
          </xsl:call-template>
        </xsl:if>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- source-words: one source of the appendix in words -->
  <xsl:template name="source-words">
    <xsl:choose>
      <xsl:when test="@kind = 'log'">
        <xsl:value-of select="concat('log ', @file)"/>
        <xsl:if test="@line"><xsl:value-of select="concat(':', @line)"/></xsl:if>
        <xsl:if test="@host"><xsl:value-of select="concat(' (', @host, ')')"/></xsl:if>
      </xsl:when>
      <xsl:when test="@kind = 'message'">
        <xsl:value-of select="concat('message ', @file)"/>
        <xsl:if test="@message-id"><xsl:value-of select="concat(', Message-ID &lt;', @message-id, '&gt;')"/></xsl:if>
      </xsl:when>
      <xsl:when test="@kind = 'report'">
        <xsl:value-of select="concat(@what, ' report of ', @reporter, ', ', @begin, ' to ', @end)"/>
        <xsl:if test="@file"><xsl:value-of select="concat(' (', @file)"/>
          <xsl:if test="@line"><xsl:value-of select="concat(':', @line)"/></xsl:if>
          <xsl:text>)</xsl:text>
        </xsl:if>
      </xsl:when>
      <xsl:when test="@kind = 'reply'">
        <xsl:value-of select="concat('answer of Microsoft', &quot;'&quot;, 's sender support')"/>
        <xsl:if test="@date"><xsl:value-of select="concat(' of ', @date)"/></xsl:if>
        <xsl:if test="@case"><xsl:value-of select="concat(', case ', @case)"/></xsl:if>
        <xsl:if test="@message-id"><xsl:value-of select="concat(', Message-ID &lt;', @message-id, '&gt;')"/></xsl:if>
        <xsl:if test="@file"><xsl:value-of select="concat(' (', @file, ')')"/></xsl:if>
      </xsl:when>
      <xsl:when test="@kind = 'rule'">
        <xsl:value-of select="concat('forwarding rule ', @file)"/>
        <xsl:if test="@line"><xsl:value-of select="concat(':', @line)"/></xsl:if>
      </xsl:when>
      <xsl:when test="@kind = 'config'">
        <xsl:value-of select="concat('configuration ', @key, ' in ', @file)"/>
      </xsl:when>
      <xsl:when test="@kind = 'ticket'">
        <xsl:value-of select="concat('helpdesk ticket ', @number, ' (what the user reported)')"/>
      </xsl:when>
      <xsl:when test="@kind = 'store'">
        <xsl:value-of select="concat('the store', &quot;'&quot;, 's ', @area, ' as a whole (what was ingested)')"/>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="@kind"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- sources: the appendix of the numbered sources (/*/sources) -->
  <xsl:template name="sources">
    <xsl:param name="title"/>
    <xsl:if test="/*/sources/source">
      <xsl:call-template name="heading"><xsl:with-param name="title" select="$title"/></xsl:call-template>
      <xsl:for-each select="/*/sources/source">
        <xsl:call-template name="wrap">
          <xsl:with-param name="first" select="concat('[', substring(@id, 2), '] ')"/>
          <xsl:with-param name="hang" select="'     '"/>
          <xsl:with-param name="text"><xsl:call-template name="source-words"/></xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
    </xsl:if>
  </xsl:template>

  <!-- rule: $n times $c -->
  <xsl:template name="rule">
    <xsl:param name="n"/>
    <xsl:param name="c" select="'-'"/>
    <xsl:if test="$n &gt; 0">
      <xsl:value-of select="$c"/>
      <xsl:call-template name="rule">
        <xsl:with-param name="n" select="$n - 1"/>
        <xsl:with-param name="c" select="$c"/>
      </xsl:call-template>
    </xsl:if>
  </xsl:template>

  <!-- heading: "N. TITLE" underlined -->
  <xsl:template name="heading">
    <xsl:param name="title"/>
    <xsl:value-of select="concat($nl, $title, $nl)"/>
    <xsl:call-template name="rule">
      <xsl:with-param name="n" select="string-length($title)"/>
    </xsl:call-template>
    <xsl:value-of select="$nl"/>
  </xsl:template>

  <!-- wrap: $text (blanks collapsed) into lines of at most $w
       characters; the first starts with $first, the others with $hang.
       One recursion per line (not per word), so long texts stay within
       libxslt's template depth.  maildossier itself provides md:wrap, the
       same in C (lib/render.c), and this template uses it when it is
       there; other XSLT processors (xsltproc) run wrap-lines. -->
  <xsl:template name="wrap">
    <xsl:param name="text"/>
    <xsl:param name="first" select="''"/>
    <xsl:param name="hang" select="$first"/>
    <xsl:param name="w" select="$width"/>
    <xsl:choose>
      <xsl:when test="function-available('md:wrap')">
        <xsl:value-of select="md:wrap(string($text), string($first), string($hang), number($w))"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="wrap-lines">
          <xsl:with-param name="t" select="normalize-space($text)"/>
          <xsl:with-param name="prefix" select="$first"/>
          <xsl:with-param name="hang" select="$hang"/>
          <xsl:with-param name="w" select="$w"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="wrap-lines">
    <xsl:param name="t"/>
    <xsl:param name="prefix"/>
    <xsl:param name="hang"/>
    <xsl:param name="w"/>
    <xsl:variable name="avail">
      <xsl:choose>
        <xsl:when test="$w - string-length($prefix) &lt; 10">10</xsl:when>
        <xsl:otherwise><xsl:value-of select="$w - string-length($prefix)"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:choose>
      <xsl:when test="string-length($t) &lt;= $avail">
        <xsl:value-of select="concat($prefix, $t, $nl)"/>
      </xsl:when>
      <xsl:otherwise>
        <!-- the last blank within the first avail+1 characters -->
        <xsl:variable name="sp">
          <xsl:call-template name="last-space">
            <xsl:with-param name="s" select="substring($t, 1, $avail + 1)"/>
          </xsl:call-template>
        </xsl:variable>
        <xsl:choose>
          <xsl:when test="$sp &gt; 1">
            <xsl:value-of select="concat($prefix, substring($t, 1, $sp - 1), $nl)"/>
            <xsl:call-template name="wrap-lines">
              <xsl:with-param name="t" select="substring($t, $sp + 1)"/>
              <xsl:with-param name="prefix" select="$hang"/>
              <xsl:with-param name="hang" select="$hang"/>
              <xsl:with-param name="w" select="$w"/>
            </xsl:call-template>
          </xsl:when>
          <!-- a word longer than a line: cut it -->
          <xsl:otherwise>
            <xsl:value-of select="concat($prefix, substring($t, 1, $avail), $nl)"/>
            <xsl:call-template name="wrap-lines">
              <xsl:with-param name="t" select="normalize-space(substring($t, $avail + 1))"/>
              <xsl:with-param name="prefix" select="$hang"/>
              <xsl:with-param name="hang" select="$hang"/>
              <xsl:with-param name="w" select="$w"/>
            </xsl:call-template>
          </xsl:otherwise>
        </xsl:choose>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- last-space: position of the last ' ' in $s, 0 if none -->
  <xsl:template name="last-space">
    <xsl:param name="s"/>
    <xsl:param name="base" select="0"/>
    <xsl:choose>
      <xsl:when test="contains($s, ' ')">
        <xsl:call-template name="last-space">
          <xsl:with-param name="s" select="substring-after($s, ' ')"/>
          <xsl:with-param name="base" select="$base + string-length(substring-before($s, ' ')) + 1"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$base"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- field: "Label:      value" with the value wrapped under itself -->
  <xsl:template name="field">
    <xsl:param name="label"/>
    <xsl:param name="value"/>
    <xsl:param name="indent" select="''"/>
    <xsl:param name="col" select="16"/>
    <xsl:variable name="pad" select="'                                        '"/>
    <xsl:variable name="lab" select="concat($indent, $label, ':')"/>
    <xsl:call-template name="wrap">
      <xsl:with-param name="text" select="$value"/>
      <xsl:with-param name="first" select="concat($lab, substring($pad, 1, $col - string-length($lab)),
                                                  substring(' ', 1, number(string-length($lab) &gt;= $col)))"/>
      <xsl:with-param name="hang" select="substring($pad, 1, $col)"/>
    </xsl:call-template>
  </xsl:template>

</xsl:stylesheet>
