import { render } from 'preact';
import { App } from './app';
import './styles.css';
import './styles-pages.css';

render(<App />, document.getElementById('app')!);
