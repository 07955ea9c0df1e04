/**
 * The ways out of an artifact that no browser mechanism closes, closed by a script that runs in the
 * artifact's document before any of its code.
 *
 * WebRTC: ICE sends STUN packets to any host it is given, and Chromium has no policy for it (150 drops
 * a CSP `webrtc` directive as unrecognized; no Permissions-Policy feature covers it). The artifact's
 * own constructors go, but a nested frame brings a fresh window with fresh ones. The browser already
 * closes most of that: a nested frame of a sandboxed document gets a new opaque origin, so the artifact
 * cannot reach into its window, and the inherited CSP blocks data:, blob: and every other URL. What is
 * left is a srcdoc frame running its own script, so every nested frame is removed before its document
 * can commit: a MutationObserver's records arrive before the next task, and a frame commits in a task.
 *
 * Nothing the artifact can redefine may stand between it and the network, so every function, getter
 * and option object the script uses is taken before the artifact runs and called through
 * Reflect.apply, and the observer must see every tree a frame can be put in: the document, and every
 * shadow root, which is why shadow roots come only from attachShadow here (which observes each one
 * and makes it unclonable: a clone's closed root would come from nowhere) and never from markup: a
 * declarative shadow root is made by the parser, unseen, so `shadowrootmode` is taken out of the
 * source and out of everything given to the parser later (document.write, setHTMLUnsafe, ...), and
 * XSLT, whose output can name the attribute only while it runs, is not there at all.
 */

/**
 * The markup with every `shadowrootmode` (any case) renamed to `shadowrootmod_`, so that no template
 * in it becomes a declarative shadow root. Attribute names are never decoded (no character
 * references), so this finds every spelling the parser accepts. The same length, so that error
 * columns stay the model's, and still an identifier, so that JS mentioning `shadowRootMode` parses.
 */
export function withoutDeclarativeShadowRoots(html: string): string {
  return html.replace(/(shadowrootmod)e/gi, '$1_');
}

/**
 * The script, on one line (it shares the line of the model's doctype, so that error lines stay the
 * model's). It also stops link clicks: inside the app, following one would replace the artifact
 * with an error page (the app forbids frame navigation), after Chromium opened a connection for it.
 */
export function hardeningScript(): string {
  const src = [
    '(function(){',
    // Taken now, before any artifact code: afterwards only these references are used.
    'var O=Object,apply=Reflect.apply,gopd=O.getOwnPropertyDescriptor,defp=O.defineProperty,create=O.create;',
    'var Str=String,EP=Element.prototype,DP=Document.prototype,SP=ShadowRoot.prototype;',
    'function getter(p,k){return gopd(p,k).get;}',
    'var nodeType=getter(Node.prototype,"nodeType"),remove=EP.remove,matches=EP.matches;',
    'var qsa=EP.querySelectorAll,fqsa=DocumentFragment.prototype.querySelectorAll,len=getter(NodeList.prototype,"length");',
    'var added=getter(MutationRecord.prototype,"addedNodes"),observe=MutationObserver.prototype.observe,attach=EP.attachShadow;',
    'var exec=RegExp.prototype.exec,slice=String.prototype.slice,code=String.prototype.charCodeAt,warn=console.warn,con=console;',
    'function fixed(k,f){try{defp(window,k,{value:f,writable:false,configurable:false});}catch(e){}}',
    // WebRTC in this window.
    'function off(){throw new Error("WebRTC is disabled in artifacts: they run offline.");}',
    'fixed("RTCPeerConnection",off);fixed("webkitRTCPeerConnection",off);',
    // XSLT builds its output document with a parser that makes declarative shadow roots, from
    // attribute names computed while transforming, which no renaming can reach. Deprecated anyway.
    'fixed("XSLTProcessor",function XSLTProcessor(){throw new Error("XSLT is disabled in artifacts.");});',
    // Nested frames: removed wherever they are put, before the next task. object and embed too,
    // which could hold a document if the CSP ever let them load one.
    'var FRAMES="iframe,frame,object,embed,fencedframe",found=false,warned=false;',
    // No prototype: observe() reads every option, and inherited ones (characterData: false with
    // characterDataOldValue: true) would make it throw.
    'var OPTS=create(null);OPTS.childList=true;OPTS.subtree=true;',
    'function drop(n){apply(remove,n,[]);found=true;}',
    'function scrub(n){var t=apply(nodeType,n,[]),list;',
    'if(t===1){if(apply(matches,n,[FRAMES]))return drop(n);list=apply(qsa,n,[FRAMES]);}',
    'else if(t===11)list=apply(fqsa,n,[FRAMES]);else return;',
    'for(var i=0,k=apply(len,list,[]);i<k;i++)drop(list[i]);}',
    'var mo=new MutationObserver(function(rs){for(var i=0;i<rs.length;i++){var ns=apply(added,rs[i],[]);',
    'for(var j=0,k=apply(len,ns,[]);j<k;j++)try{scrub(ns[j]);}catch(e){}}',
    // Told after every frame is gone, and a console.warn the artifact replaced cannot stop that.
    'if(found&&!warned){warned=true;try{apply(warn,con,["Nested frames are disabled in artifacts."]);}catch(e){}}});',
    'function watch(root){apply(observe,mo,[root,OPTS]);}',
    'watch(document);',
    'var INIT=["mode","delegatesFocus","slotAssignment","serializable","customElementRegistry","referenceTarget"];',
    'EP.attachShadow=function attachShadow(init){var o=create(null);',
    'for(var i=0;i<INIT.length;i++){var v=init[INIT[i]];if(v!==undefined)o[INIT[i]]=v;}',
    'o.clonable=false;var root=apply(attach,this,[o]);watch(root);return root;};',
    // Declarative shadow roots: the attribute renamed in whatever reaches the parser. A write that
    // ends in what could begin the name gets a space, so that the page's text after the script (or
    // the next write) cannot complete it.
    'var WORD=/shadowrootmode/gi,W="shadowrootmode";',
    'function neuter(s){var out="",from=0,m;WORD.lastIndex=0;',
    'while((m=apply(exec,WORD,[s]))!==null){from=m.index+W.length;out+=apply(slice,s,[out.length,from-1])+"_";}',
    'return from?out+apply(slice,s,[from]):s;}',
    'function opens(s){for(var k=W.length-1;k>0;k--){if(k>s.length)continue;',
    'for(var j=0;j<k&&(apply(code,s,[s.length-k+j])|32)===apply(code,W,[j]);j++);if(j===k)return true;}return false;}',
    'function writer(f){return function(){var s="";for(var i=0;i<arguments.length;i++)s+=Str(arguments[i]);',
    's=neuter(s);if(opens(s))s+=" ";return apply(f,this,[s]);};}',
    'function parser(o,k){if(o[k])o[k]=(function(f){return function(html){',
    'return apply(f,this,[neuter(Str(html)),arguments[1]]);};})(o[k]);}',
    'DP.write=writer(DP.write);DP.writeln=writer(DP.writeln);',
    'parser(EP,"setHTMLUnsafe");parser(SP,"setHTMLUnsafe");parser(EP,"setHTML");parser(SP,"setHTML");',
    'parser(Document,"parseHTMLUnsafe");parser(Document,"parseHTML");',
    'addEventListener("click",function(e){var p=e.composedPath(),a=null;',
    'for(var i=0;i<p.length&&!a;i++)if(p[i].localName==="a"||p[i].localName==="area")a=p[i];if(!a)return;',
    'var href=a.getAttribute("href")||a.getAttribute("xlink:href");if(href===null||/^\\s*(#|javascript:)/i.test(href))return;',
    'e.preventDefault();console.warn("Links do not open from artifacts: "+href);},true);',
    '})();',
  ].join('');
  return `<script>${src}</script>`;
}
